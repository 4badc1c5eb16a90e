"""Vietnamese translations of the import pages and messages (msgid → msgstr).

Part of the assessments catalogue: merge into ``tools/vi_messages_assessments.py`` and run
``tools/translate_po.py assessments``. Row-level import problems are not here: they come from
the pure catalogue ``assessments/importing/messages.py`` (Vietnamese and English).
"""

VI: dict[str, str] = {
    # models
    "Queued": "Đang chờ",
    "Running": "Đang chạy",
    "Imported": "Đã nhập",
    "Refused: nothing written": "Bị từ chối: không ghi gì",
    "Failed: nothing written": "Lỗi: không ghi gì",
    "file name": "tên tệp",
    "mode": "chế độ",
    "status": "trạng thái",
    # forms, views, selectors, jobs
    "File (CSV, XLSX or a KoboToolbox/ODK export)": "Tệp (CSV, XLSX hoặc tệp xuất KoboToolbox/ODK)",
    "Mode": "Chế độ",
    "All or nothing: any error and nothing is written": "Tất cả hoặc không: có lỗi thì không ghi dòng nào",
    "Valid rows only: rows with errors are skipped": "Chỉ các dòng hợp lệ: bỏ qua các dòng có lỗi",
    "No such campaign.": "Không có đợt đánh giá này.",
    "No such import.": "Không có lượt nhập này.",
    "Unknown import mode.": "Chế độ nhập không hợp lệ.",
    "Unknown choice for edited submissions.": "Lựa chọn cho bài nộp đã sửa không hợp lệ.",
    "Submissions imported before, now edited": "Bài nộp đã nhập trước đây, nay đã sửa",
    "Update the response and keep its previous version": "Cập nhật phiếu và giữ phiên bản trước",
    "Report a conflict and leave the response as it is": "Báo xung đột và giữ nguyên phiếu",
    "A KoboToolbox/ODK submission already imported (the same meta/instanceID, _uuid or KEY) whose content changed.": "Bài nộp KoboToolbox/ODK đã được nhập (cùng meta/instanceID, _uuid hoặc KEY) nay có nội dung khác.",
    "Updated (edited submissions)": "Đã cập nhật (bài nộp được sửa)",
    "edited submissions": "bài nộp được sửa",
    "The file is too large (%(size)s bytes); the limit is %(limit)s bytes.": "Tệp quá lớn (%(size)s byte); giới hạn là %(limit)s byte.",
    # templates
    "Bulk import": "Nhập hàng loạt",
    "1. Download the template": "1. Tải mẫu nhập liệu",
    "The header row is fixed: org_tax_code, org_name, entity_type, commune_code, vsic, size_class, then one column per criterion code. The XLSX template lists the allowed codes on its second sheet.": "Dòng tiêu đề cố định: org_tax_code, org_name, entity_type, commune_code, vsic, size_class, sau đó là một cột cho mỗi mã tiêu chí. Trang thứ hai của mẫu XLSX liệt kê các mã hợp lệ.",
    "Template (XLSX)": "Mẫu (XLSX)",
    "Template (CSV)": "Mẫu (CSV)",
    "XLSForm for ODK Collect / KoboToolbox": "Biểu mẫu XLSForm cho ODK Collect / KoboToolbox",
    "2. Upload the filled file": "2. Tải lên tệp đã điền",
    "Import": "Nhập",
    "Recent imports": "Các lượt nhập gần đây",
    "File": "Tệp",
    "Status": "Trạng thái",
    "Duplicates": "Trùng",
    "Errors": "Lỗi",
    "writing": "đang ghi",
    "matching organisations": "đang đối chiếu tổ chức",
    "validated": "đã kiểm tra",
    "reading and validating": "đang đọc và kiểm tra",
    "Progress": "Tiến độ",
    "Rows": "Số dòng",
    "Duplicates (already present)": "Trùng (đã có)",
    "Nothing was written. Fix the errors below and upload the file again.": "Không có dữ liệu nào được ghi. Hãy sửa các lỗi dưới đây rồi tải tệp lên lại.",
    "Error report (XLSX)": "Báo cáo lỗi (XLSX)",
    "Error report (CSV)": "Báo cáo lỗi (CSV)",
    "Row": "Dòng",
    "Column": "Cột",
    "Value": "Giá trị",
    "Problem": "Lỗi",
    "Showing %(shown)s of %(total)s errors; the report has all of them.": "Đang hiển thị %(shown)s trên %(total)s lỗi; báo cáo lỗi có đầy đủ.",
    # interrupted runs (jobs.py: leases)
    "The worker running this import stopped; nothing of this run was written. The import runs again as soon as a worker is running.": "Tiến trình xử lý đang chạy lượt nhập này đã dừng; chưa có gì của lần chạy này được ghi. Lượt nhập sẽ chạy lại ngay khi có tiến trình xử lý hoạt động.",
    "A run of this import stopped at %(time)s (its worker stopped or lost the database connection); nothing of that run was written.": "Một lần chạy của lượt nhập này đã dừng lúc %(time)s (tiến trình xử lý bị dừng hoặc mất kết nối cơ sở dữ liệu); không có gì của lần chạy đó được ghi.",
}

PLURALS: dict[str, str] = {
    "The import was interrupted %(n)s time (its worker stopped); nothing was written. Upload the file again.": "Lượt nhập đã bị gián đoạn %(n)s lần (tiến trình xử lý bị dừng); không có gì được ghi. Hãy tải tệp lên lại.",
}
