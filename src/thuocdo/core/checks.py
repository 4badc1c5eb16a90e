"""Production checks of ``thuocdo check --deploy``: each insecure setting is refused with its
own message, in Vietnamese and English (the check runs outside any request language)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import checks

from thuocdo.config import env

# The SECRET_KEY of deploy/thuocdo.env.example: copying the example must not pass the check.
PLACEHOLDER_SECRET_KEY = "change-me-to-at-least-50-random-characters-from-a-password-generator"  # noqa: S105


def _production() -> bool:
    return env.get("THUOCDO_ENV") == "production"


@checks.register(checks.Tags.security, deploy=True)
def insecure_production_settings(app_configs: Any = None, **kwargs: Any) -> list[checks.Error]:
    if not _production():
        return []
    errors: list[checks.Error] = []
    key = str(settings.SECRET_KEY)
    if key == PLACEHOLDER_SECRET_KEY or "change-me" in key.lower():
        errors.append(
            checks.Error(
                "SECRET_KEY vẫn là giá trị mẫu của deploy/thuocdo.env.example / SECRET_KEY is "
                "still the placeholder of deploy/thuocdo.env.example.",
                hint="Tạo khóa mới / make a new key: python -c 'import secrets; "
                "print(secrets.token_urlsafe(50))'",
                id="thuocdo.E001",
            )
        )
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        errors.append(
            checks.Error(
                "DATABASE_URL trống hoặc trỏ tới SQLite; môi trường production cần PostgreSQL / "
                "DATABASE_URL is empty or SQLite; production needs PostgreSQL.",
                hint="DATABASE_URL=postgres://thuocdo:…@127.0.0.1:5432/thuocdo",
                id="thuocdo.E002",
            )
        )
    if not str(getattr(settings, "REDIS_URL", "") or ""):
        errors.append(
            checks.Error(
                "REDIS_URL trống: hàng đợi và bộ đệm không dùng chung giữa các tiến trình / "
                "REDIS_URL is empty: the queue, the cache and the throttles are not shared by "
                "the processes.",
                hint="REDIS_URL=redis://127.0.0.1:6379/0",
                id="thuocdo.E003",
            )
        )
    if "*" in settings.ALLOWED_HOSTS:
        errors.append(
            checks.Error(
                "ALLOWED_HOSTS chứa '*': máy chủ trả lời mọi tên miền / ALLOWED_HOSTS holds "
                "'*': the server answers any host name.",
                hint="ALLOWED_HOSTS=thuocdo.example.vn",
                id="thuocdo.E004",
            )
        )
    plain = [o for o in settings.CSRF_TRUSTED_ORIGINS if str(o).lower().startswith("http://")]
    if plain:
        errors.append(
            checks.Error(
                "CSRF_TRUSTED_ORIGINS có nguồn không mã hóa (http://): {o} / "
                "CSRF_TRUSTED_ORIGINS holds an unencrypted (http://) origin: {o}.".format(
                    o=", ".join(plain)
                ),
                hint="CSRF_TRUSTED_ORIGINS=https://thuocdo.example.vn",
                id="thuocdo.E005",
            )
        )
    return errors


# File systems every machine of a deployment can mount as one folder.
NETWORK_FILESYSTEMS = frozenset(
    {"nfs", "nfs4", "cifs", "smb3", "smbfs", "ceph", "glusterfs", "lustre", "beegfs", "gpfs",
     "9p", "virtiofs", "fuse.sshfs", "fuse.glusterfs", "fuse.ceph", "fuse.juicefs",
     "fuse.s3fs", "fuse.goofys", "fuse.rclone"}
)  # fmt: skip


def mount_type(path: Path, mounts: str | None = None) -> str:
    """The file-system type of the mount holding ``path`` (``/proc/mounts``: the longest
    mount point that is a parent of it); empty when unknown."""
    if mounts is None:
        try:
            mounts = Path("/proc/mounts").read_text(encoding="utf-8")
        except OSError:
            return ""
    target = path.resolve()
    best, kind = -1, ""
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(fields[1].replace("\\040", " "))
        if (target == point or point in target.parents) and len(point.parts) > best:
            best, kind = len(point.parts), fields[2]
    return kind


def shared_folders() -> list[tuple[str, Path]]:
    """The folders every web and worker machine must see as one: what each holds and where.
    (The dashboards' columnar copies need none: they live in the database.)"""
    return [
        ("tệp tải lên: tệp nhập, minh chứng / uploads: import files, evidence",
         Path(settings.MEDIA_ROOT)),
        ("bản sao lưu / backups", Path(settings.BACKUP_DIR)),
    ]  # fmt: skip


@checks.register(checks.Tags.files, deploy=True)
def folders_shared_by_several_machines(
    app_configs: Any = None, **kwargs: Any
) -> list[checks.Error]:
    """With several machines (THUOCDO_WEB_NODES > 1), a folder that is not on a network file
    system is one machine's own: a file uploaded to one would be missing on another."""
    if not _production() or int(getattr(settings, "WEB_NODES", 1)) <= 1:
        return []
    errors: list[checks.Error] = []
    for what, path in shared_folders():
        kind = mount_type(path)
        if kind in NETWORK_FILESYSTEMS:
            continue
        errors.append(
            checks.Error(
                f"Thư mục {path} ({what}) phải dùng chung cho mọi máy chủ web và worker "
                f"(THUOCDO_WEB_NODES={settings.WEB_NODES}) nhưng nằm trên ổ riêng "
                f"({kind or 'không rõ'}) / The folder {path} ({what}) must be shared by every "
                f"web and worker machine but is on a local file system ({kind or 'unknown'}).",
                hint="Gắn một thư mục mạng (NFS…) ở cùng đường dẫn trên mọi máy, xem "
                "docs/deployment.md / mount a network folder (NFS…) at the same path on "
                "every machine, see docs/deployment.md",
                id="thuocdo.E010",
            )
        )
    return errors
