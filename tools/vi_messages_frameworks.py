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
    "entity types": "loại đối tượng",
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
}
