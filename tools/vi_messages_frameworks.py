"""Vietnamese for the frameworks catalogue (src/thuocdo/frameworks/locale)."""

VI: dict[str, str] = {
    # command line
    "'%(spec)s' is neither a YAML file nor of the form code@version (e.g. sme-dx@2025.1).": (
        "'%(spec)s' không phải tệp YAML cũng không có dạng mã@phiên_bản (ví dụ sme-dx@2025.1)."
    ),
    "There is no criteria set %(label)s.": "Không có bộ tiêu chí %(label)s.",
    "%(file)s: %(count)d problem(s).": "%(file)s: %(count)d lỗi.",
    "%(file)s: valid — %(label)s, %(pillars)d pillars, %(criteria)d criteria.": (
        "%(file)s: hợp lệ — %(label)s, %(pillars)d trụ cột, %(criteria)d tiêu chí."
    ),
    "%(file)s: the file is too large (%(size)d bytes; the limit is %(limit)d).": (
        "%(file)s: tệp quá lớn (%(size)d byte; giới hạn là %(limit)d byte)."
    ),
    "%(file)s: cannot read the file: %(error)s.": "%(file)s: không đọc được tệp: %(error)s.",
    "%(file)s: the file is not UTF-8 (invalid byte at offset %(offset)d).": (
        "%(file)s: tệp không phải UTF-8 (byte không hợp lệ ở vị trí %(offset)d)."
    ),
    "%(file)s:%(line)d: not valid JSON: %(error)s.": (
        "%(file)s:%(line)d: không phải JSON hợp lệ: %(error)s."
    ),
    "%(file)s: the JSON nests too deeply.": "%(file)s: JSON lồng nhau quá sâu.",
    "%(file)s: a number in the JSON has too many digits.": (
        "%(file)s: một số trong JSON có quá nhiều chữ số."
    ),
    '%(file)s: the answers must be a JSON object mapping criterion codes to answers, e.g. {"S1": "b", "S2": ["web"], "S3": true, "S4": 12}.': (
        "%(file)s: câu trả lời phải là một đối tượng JSON ánh xạ mã tiêu chí → câu trả lời,"
        ' ví dụ {"S1": "b", "S2": ["web"], "S3": true, "S4": 12}.'
    ),
    "%(file)s: criterion '%(code)s' is answered more than once.": (
        "%(file)s: tiêu chí '%(code)s' được trả lời nhiều lần."
    ),
    # models
    "Draft": "Bản nháp",
    "Published": "Đã công bố",
    "Retired": "Đã ngừng dùng",
    "code": "mã",
    "version": "phiên bản",
    "status": "trạng thái",
    "name (Vietnamese)": "tên (tiếng Việt)",
    "name (English)": "tên (tiếng Anh)",
    "sector": "lĩnh vực",
    "entity types": "loại hình",
    "source": "nguồn",
    "definition": "định nghĩa",
    "content hash": "mã băm nội dung",
    "YAML text": "văn bản YAML",
    "Version %(label)s is %(status)s and can no longer change; copy it as a new draft version instead.": (
        "Phiên bản %(label)s ở trạng thái %(status)s nên không thể thay đổi nữa; hãy sao chép"
        " thành một phiên bản nháp mới."
    ),
    "Version %(label)s is %(status)s and cannot be deleted; retire it instead.": (
        "Phiên bản %(label)s ở trạng thái %(status)s nên không thể xóa; hãy ngừng dùng nó."
    ),
    # permissions, selectors, services
    "Only ministry officers and administrators can change criteria sets.": (
        "Chỉ cán bộ Bộ/ngành và quản trị hệ thống được thay đổi bộ tiêu chí."
    ),
    "The sector '%(sector)s' lies outside your scope.": (
        "Lĩnh vực '%(sector)s' nằm ngoài phạm vi của bạn."
    ),
    "'%(label)s' is not of the form code@version (e.g. sme-dx@2025.1).": (
        "'%(label)s' không có dạng mã@phiên_bản (ví dụ sme-dx@2025.1)."
    ),
    "Version %(label)s is already published and cannot change; give the new content a new version.": (
        "Phiên bản %(label)s đã công bố nên không thể thay đổi; hãy đặt một phiên bản mới cho"
        " nội dung mới."
    ),
    "Only a draft can be published; %(label)s is %(status)s.": (
        "Chỉ bản nháp mới được công bố; %(label)s đang ở trạng thái %(status)s."
    ),
    "Only a published version can be retired; %(label)s is %(status)s.": (
        "Chỉ phiên bản đã công bố mới được ngừng dùng; %(label)s đang ở trạng thái %(status)s."
    ),
    "A version has 1 to 32 letters, digits, '.', '_', '+' or '-' and starts with a letter or digit (e.g. 2026.1).": (
        "Phiên bản gồm 1 đến 32 chữ cái, chữ số, '.', '_', '+' hoặc '-' và bắt đầu bằng chữ"
        " cái hoặc chữ số (ví dụ 2026.1)."
    ),
    "Version %(label)s already exists.": "Phiên bản %(label)s đã tồn tại.",
    # API
    "The Authorization header must be: Bearer <token>.": "Tiêu đề Authorization phải có dạng: Bearer <mã truy cập>.",
    "The request is not valid.": "Yêu cầu không hợp lệ.",
    "Attach the criteria-set YAML file in the field 'file'.": (
        "Hãy đính kèm tệp YAML của bộ tiêu chí trong trường 'file'."
    ),
    "Send the criteria set as a YAML body (Content-Type: application/yaml) or as a multipart upload in the field 'file'.": (
        "Hãy gửi bộ tiêu chí dưới dạng nội dung YAML (Content-Type: application/yaml) hoặc tải"
        " lên dạng multipart trong trường 'file'."
    ),
    "request body": "nội dung yêu cầu",
    "%(label)s has no previous version to compare with.": (
        "%(label)s không có phiên bản trước để so sánh."
    ),
    # diff fields
    "Code": "Mã",
    "Version": "Phiên bản",
    "Name": "Tên",
    "Sector": "Lĩnh vực",
    "Entity types": "Loại hình",
    "Source": "Nguồn",
    "Description": "Mô tả",
    "Pillar": "Trụ cột",
    "Weight": "Trọng số",
    "Required": "Bắt buộc",
    "Condition": "Điều kiện",
    "Target score": "Ngưỡng đạt",
    "Required for level": "Điều kiện để đạt mức",
    "Solution tags": "Nhãn giải pháp",
    "Question type": "Loại câu hỏi",
    "Question": "Câu hỏi",
    "Help text": "Hướng dẫn",
    "Score for yes": "Điểm khi trả lời Có",
    "Score for no": "Điểm khi trả lời Không",
    "Thresholds": "Các ngưỡng",
    "Minimum": "Nhỏ nhất",
    "Maximum": "Lớn nhất",
    "Unit": "Đơn vị",
    "Score": "Điểm",
    "Exclusive": "Loại trừ",
    "Text": "Nội dung",
    "Order": "Thứ tự",
    "Pillars needed": "Số trụ cột cần đạt",
    "Pillar score needed": "Điểm trụ cột cần đạt",
    "yes": "có",
    "no": "không",
    # sectors and entity types
    "All sectors": "Mọi lĩnh vực",
    "Wholesale and retail": "Bán buôn, bán lẻ",
    "Tourism": "Du lịch",
    "Agriculture": "Nông nghiệp",
    "Manufacturing": "Sản xuất công nghiệp",
    "Logistics": "Logistics",
    "Enterprise": "Doanh nghiệp",
    "Household business": "Hộ kinh doanh",
    "Shop": "Cửa hàng",
    "Traditional market": "Chợ truyền thống",
    "Tourist destination": "Điểm đến du lịch",
    "Farm": "Trang trại",
    "Cooperative": "Hợp tác xã",
    # pages
    "Field": "Trường",
    "Before": "Trước",
    "After": "Sau",
    "Breadcrumb": "Đường dẫn",
    "Criteria sets": "Bộ tiêu chí",
    "Code and version": "Mã và phiên bản",
    "Status": "Trạng thái",
    "Type of organisation": "Loại hình tổ chức",
    "Size": "Quy mô",
    "%(p)s pillars, %(c)s criteria, %(g)s gates": "%(p)s trụ cột, %(c)s tiêu chí, %(g)s điều kiện chặn",
    "Based on": "Dựa trên",
    "Content hash": "Mã băm nội dung",
    "Download YAML": "Tải tệp YAML",
    "Changes since %(label)s": "Thay đổi so với %(label)s",
    "Publish": "Công bố",
    "Edit by uploading a new file": "Sửa bằng cách tải lên tệp mới",
    "Retire": "Ngừng dùng",
    "New version": "Phiên bản mới",
    "Copy as a new draft": "Sao chép thành bản nháp mới",
    "Versions": "Các phiên bản",
    "Levels": "Các mức",
    "Maturity level": "Mức",
    "Conditions": "Điều kiện",
    "Gate criteria": "Tiêu chí bắt buộc để đạt mức",
    "The level is the highest one whose conditions all hold; it is then lowered below any level for which an applicable gate criterion is not met.": (
        "Mức đạt được là mức cao nhất mà mọi điều kiện đều thỏa; sau đó mức bị hạ xuống dưới"
        " mức nào có tiêu chí bắt buộc (đang áp dụng) chưa đạt."
    ),
    "weight %(w)s (%(s)s%% of the total)": "trọng số %(w)s (%(s)s%% tổng)",
    "weight %(w)s (%(s)s%% of the pillar)": "trọng số %(w)s (%(s)s%% trụ cột)",
    "required": "bắt buộc",
    "optional": "không bắt buộc",
    "met at %(t)s points": "đạt khi từ %(t)s điểm",
    "solutions": "giải pháp",
    "Asked only when": "Chỉ hỏi khi",
    "Condition as written": "Điều kiện như trong tệp",
    "Gate": "Điều kiện chặn",
    "cannot be combined with other choices": "không chọn cùng lựa chọn khác",
    "%(s)s pts": "%(s)s điểm",
    "Accepted answers": "Câu trả lời hợp lệ",
    "Changes": "Thay đổi",
    "Changes from %(old)s to %(new)s.": "Thay đổi từ %(old)s đến %(new)s.",
    "The two versions are the same.": "Hai phiên bản giống nhau.",
    "Scores can change": "Điểm số có thể thay đổi",
    "Only texts changed; scores stay the same": "Chỉ thay đổi nội dung chữ; điểm số giữ nguyên",
    "Compare with": "So sánh với",
    "Compare": "So sánh",
    "Criteria set": "Bộ tiêu chí",
    "Pillars": "Trụ cột",
    "added": "thêm",
    "removed": "bỏ",
    "changed": "sửa",
    "Criteria": "Tiêu chí",
    "weight": "trọng số",
    "Options": "Phương án",
    "Each criteria set is versioned: a published version never changes, and every response points at the exact version it was scored with.": (
        "Mỗi bộ tiêu chí có phiên bản: phiên bản đã công bố không bao giờ thay đổi, và mỗi phiếu"
        " đánh giá gắn với đúng phiên bản đã dùng để chấm điểm."
    ),
    "Upload a new version": "Tải lên phiên bản mới",
    "All": "Tất cả",
    "Filter": "Lọc",
    "%(p)s pillars, %(c)s criteria": "%(p)s trụ cột, %(c)s tiêu chí",
    "built-in template": "mẫu dựng sẵn",
    "No criteria set matches these filters.": "Không có bộ tiêu chí nào phù hợp bộ lọc.",
    "Upload a criteria set": "Tải lên bộ tiêu chí",
    "Upload": "Tải lên",
    "Upload a YAML file (at most 5 MB, UTF-8). A new code or version is saved as a draft; uploading again the same code and version replaces the draft. A published version never changes: give new content a new version.": (
        "Tải lên một tệp YAML (tối đa 5 MB, mã UTF-8). Mã hoặc phiên bản mới được lưu thành bản"
        " nháp; tải lên lại cùng mã và phiên bản sẽ thay bản nháp đó. Phiên bản đã công bố không"
        " bao giờ thay đổi: hãy đặt phiên bản mới cho nội dung mới."
    ),
    "line %(line)s": "dòng %(line)s",
    "Nothing was saved. Fix every problem and upload the file again.": (
        "Chưa có gì được lưu. Hãy sửa mọi lỗi rồi tải tệp lên lại."
    ),
    "Criteria-set file (.yaml)": "Tệp bộ tiêu chí (.yaml)",
    "Check and save as draft": "Kiểm tra và lưu bản nháp",
    "The format is described in docs/criteria-sets.md; the command thuocdo frameworks validate FILE.yaml checks a file on your computer.": (
        "Định dạng được mô tả trong docs/criteria-sets.md; lệnh thuocdo frameworks validate"
        " TỆP.yaml kiểm tra một tệp trên máy của bạn."
    ),
    "Choose the criteria-set YAML file to upload.": "Hãy chọn tệp YAML của bộ tiêu chí để tải lên.",
    "Draft %(label)s saved.": "Đã lưu bản nháp %(label)s.",
    "Draft %(label)s updated.": "Đã cập nhật bản nháp %(label)s.",
    "%(label)s is published.": "Đã công bố %(label)s.",
    "%(label)s is retired.": "Đã ngừng dùng %(label)s.",
    "Draft %(label)s started as a copy of %(source)s.": (
        "Đã tạo bản nháp %(label)s bằng cách sao chép %(source)s."
    ),
    "Comparison with the minimum": "Phép so sánh với mức tối thiểu",
    "Comparison with the pillar score needed": "Phép so sánh với điểm trụ cột cần đạt",
    "Unanswered counts as 0": "Chưa trả lời tính 0 điểm",
    "Total points": "Tổng điểm",
    "unanswered counts as 0": "chưa trả lời tính 0 điểm",
}

PLURALS: dict[str, str] = {
    "%(n)s criteria set": "%(n)s bộ tiêu chí",
    "%(name)s: %(n)s problem to fix": "%(name)s: %(n)s lỗi cần sửa",
}
