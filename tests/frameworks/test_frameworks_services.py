"""Versioning of criteria sets: load, edit a draft by re-upload, publish, retire, copy;
a published version never changes; permissions by scope; every write audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from tests.frameworks.sets import set_text

from thuocdo.accounts.models import AuditEvent
from thuocdo.frameworks import services
from thuocdo.frameworks.engine import FrameworkInvalid, load_framework_text
from thuocdo.frameworks.models import FrameworkVersion, Status

pytestmark = pytest.mark.django_db


def events(version: FrameworkVersion) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            object_type="frameworks.frameworkversion", object_id=str(version.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_load_creates_a_draft_and_audits(make_user: Any) -> None:
    officer = make_user("ministry", sectors=["retail"])
    v, created = services.framework_version_load(actor=officer, text=set_text())
    assert created and v.status == Status.DRAFT and v.label == "thu-nghiem@1"
    assert (v.pillar_count, v.criterion_count, v.created_by) == (2, 5, officer)
    assert v.engine().criterion("W2").question.type == "multi"
    assert events(v) == ["framework.create"]
    event = AuditEvent.objects.get(object_type="frameworks.frameworkversion", object_id=str(v.pk))
    assert event.actor == officer and event.after["content_hash"] == v.content_hash


def test_reupload_edits_a_draft(make_user: Any) -> None:
    officer = make_user("ministry", sectors=["retail"])
    v, _ = services.framework_version_load(actor=officer, text=set_text(basic=50))
    old_hash = v.content_hash
    same, created = services.framework_version_load(actor=officer, text=set_text(basic=50))
    assert (same.pk, created) == (v.pk, False)
    assert events(v) == ["framework.create"]  # identical content: nothing written
    edited, created = services.framework_version_load(actor=officer, text=set_text(basic=60))
    assert (edited.pk, created) == (v.pk, False)
    assert edited.content_hash != old_hash
    assert edited.engine().criterion("W1").question.options[1].score == 60
    assert events(v) == ["framework.create", "framework.update"]


def test_published_version_never_changes(make_user: Any) -> None:
    officer = make_user("ministry", sectors=["retail"])
    v, _ = services.framework_version_load(actor=officer, text=set_text(), publish=True)
    assert v.status == Status.PUBLISHED and v.published_by == officer
    with pytest.raises(ValidationError, match="thu-nghiem@1"):
        services.framework_version_load(actor=officer, text=set_text(basic=70))
    # the model refuses too, whatever path tries
    stored = FrameworkVersion.objects.get(pk=v.pk)
    stored.definition = {**stored.definition, "source": "changed"}
    with pytest.raises(ValidationError):
        stored.save()
    stored = FrameworkVersion.objects.get(pk=v.pk)
    stored.name_vi = "Tên khác"
    with pytest.raises(ValidationError):
        stored.save()
    stored = FrameworkVersion.objects.get(pk=v.pk)
    stored.status = Status.DRAFT
    with pytest.raises(ValidationError):
        stored.save()
    with pytest.raises(ValidationError):
        FrameworkVersion.objects.get(pk=v.pk).delete()
    fresh = FrameworkVersion.objects.get(pk=v.pk)
    assert (fresh.content_hash, fresh.status, fresh.name_vi) == (
        v.content_hash,
        Status.PUBLISHED,
        "Bộ thử nghiệm",
    )
    assert fresh.engine().criterion("W1").question.options[1].score == 50


def test_publish_twice_is_refused(make_user: Any) -> None:
    v, _ = services.framework_version_load(actor=None, text=set_text(), publish=True)
    with pytest.raises(ValidationError, match="thu-nghiem@1"):
        services.framework_version_publish(actor=None, version=v)


def test_retire_only_published_and_never_back(make_user: Any) -> None:
    admin = make_user("admin")
    v, _ = services.framework_version_load(actor=admin, text=set_text())
    with pytest.raises(ValidationError):
        services.framework_version_retire(actor=admin, version=v)
    services.framework_version_publish(actor=admin, version=v)
    retired = services.framework_version_retire(actor=admin, version=v)
    assert retired.status == Status.RETIRED and retired.retired_at is not None
    assert events(v) == ["framework.create", "framework.publish", "framework.retire"]
    with pytest.raises(ValidationError):
        services.framework_version_retire(actor=admin, version=v)
    with pytest.raises(ValidationError):
        services.framework_version_publish(actor=admin, version=v)
    stored = FrameworkVersion.objects.get(pk=v.pk)
    stored.status = Status.PUBLISHED
    with pytest.raises(ValidationError):
        stored.save()


def test_copy_starts_a_new_draft_from_an_earlier_version(make_user: Any) -> None:
    officer = make_user("ministry", sectors=["retail"])
    v1, _ = services.framework_version_load(actor=officer, text=set_text(), publish=True)
    v2 = services.framework_version_copy(actor=officer, version=v1, new_version="2")
    assert (v2.label, v2.status, v2.based_on, v2.created_by) == (
        "thu-nghiem@2",
        Status.DRAFT,
        v1,
        officer,
    )
    assert v2.definition == {**v1.definition, "version": "2"}
    # the YAML keeps the author's comment and now names the new version
    assert v2.yaml_text.startswith("# Bộ tiêu chí thử")
    assert 'version: "2"' in v2.yaml_text
    assert load_framework_text(v2.yaml_text).version == "2"
    assert events(v2) == ["framework.copy"]
    # the copy is a draft: re-uploading its file edits it; the original stays as it was
    edited, _ = services.framework_version_load(actor=officer, text=set_text(version="2", basic=80))
    assert edited.pk == v2.pk
    assert FrameworkVersion.objects.get(pk=v1.pk).content_hash == v1.content_hash


@pytest.mark.parametrize("bad", ["", "2 0", "-1", "x" * 33, "v/1"])
def test_copy_refuses_bad_or_taken_versions(bad: str) -> None:
    v1, _ = services.framework_version_load(actor=None, text=set_text())
    with pytest.raises(ValidationError) as err:
        services.framework_version_copy(actor=None, version=v1, new_version=bad)
    assert "new_version" in err.value.message_dict
    with pytest.raises(ValidationError, match="thu-nghiem@1"):
        services.framework_version_copy(actor=None, version=v1, new_version="1")
    assert FrameworkVersion.objects.filter(code="thu-nghiem").count() == 1


def test_invalid_file_stores_nothing(make_user: Any) -> None:
    officer = make_user("ministry", sectors=["retail"])
    before = FrameworkVersion.objects.count()
    with pytest.raises(FrameworkInvalid) as err:
        services.framework_version_load(actor=officer, text=set_text(basic=150))
    assert [p.path for p in err.value.problems] == [
        "pillars[0].criteria[0].question.options[1].score"
    ]
    assert FrameworkVersion.objects.count() == before


@pytest.mark.parametrize(
    ("role", "sectors", "allowed"),
    [
        ("ministry", ["retail"], True),
        ("ministry", [], True),  # a ministry officer without sectors covers every sector
        ("ministry", ["tourism"], False),
        ("admin", None, True),
        ("province", None, False),
        ("commune", None, False),
        ("respondent", None, False),
    ],
)
def test_who_may_author(
    make_user: Any, role: str, sectors: list[str] | None, allowed: bool
) -> None:
    kw = {"unit": "48"} if role in {"province", "commune"} else {}
    user = make_user(role, sectors=sectors, **kw)
    if allowed:
        v, _ = services.framework_version_load(actor=user, text=set_text())
        assert services.framework_version_publish(actor=user, version=v).status == Status.PUBLISHED
    else:
        with pytest.raises(PermissionDenied):
            services.framework_version_load(actor=user, text=set_text())
        assert not FrameworkVersion.objects.filter(code="thu-nghiem").exists()


def test_officer_out_of_sector_cannot_publish_retire_or_copy(make_user: Any) -> None:
    tourism = make_user("ministry", sectors=["tourism"])
    v, _ = services.framework_version_load(actor=None, text=set_text())
    with pytest.raises(PermissionDenied):
        services.framework_version_publish(actor=tourism, version=v)
    assert FrameworkVersion.objects.get(pk=v.pk).status == Status.DRAFT
    services.framework_version_publish(actor=None, version=v)
    with pytest.raises(PermissionDenied):
        services.framework_version_retire(actor=tourism, version=v)
    with pytest.raises(PermissionDenied):
        services.framework_version_copy(actor=tourism, version=v, new_version="2")
    assert FrameworkVersion.objects.get(pk=v.pk).status == Status.PUBLISHED
    assert events(v) == ["framework.create", "framework.publish"]


def test_new_version_cannot_move_a_code_out_of_another_sector(make_user: Any) -> None:
    services.framework_version_load(actor=None, text=set_text(sector="tourism"), publish=True)
    retail = make_user("ministry", sectors=["retail"])
    with pytest.raises(PermissionDenied):
        services.framework_version_load(actor=retail, text=set_text(version="2", sector="retail"))


def test_builtins_load_again_changes_nothing() -> None:
    from thuocdo.frameworks.builtins import load

    before = list(FrameworkVersion.objects.filter(builtin=True).values_list("pk", "content_hash"))
    assert len(before) == 13
    assert load() == {"criteria_sets": 13, "created": 0}
    after = list(FrameworkVersion.objects.filter(builtin=True).values_list("pk", "content_hash"))
    assert after == before
    assert all(
        v.status == Status.PUBLISHED and v.criterion_count >= 20 and v.pillar_count >= 4
        for v in FrameworkVersion.objects.filter(builtin=True)
    )


def test_builtin_content_is_bilingual_tagged_and_says_it_is_a_template() -> None:
    from thuocdo.ecosystem.vocabulary import known_tags
    from thuocdo.frameworks.builtins import builtin_files
    from thuocdo.frameworks.engine import load_framework_file

    vocabulary = known_tags()
    for path in builtin_files():
        fw = load_framework_file(path)
        assert fw.name.en, path.name
        source = fw.source.lower()
        # a template says so; a set reproducing an official method says what is not official
        assert "mẫu" in source or "template" in source or "placeholder" in source, path.name
        criteria = fw.criteria()
        for c in criteria:
            where = f"{path.name} {c.code}"
            assert c.name.en and c.question.text.en, where
            assert all(o.text.en for o in c.question.options), where
            assert set(c.solution_tags) <= vocabulary, where
        # nearly every criterion leads to solutions; a few (staff devices: hardware bought,
        # not a digital service) have none
        untagged = [c.code for c in criteria if not c.solution_tags]
        assert len(untagged) <= len(criteria) // 10, (path.name, untagged)
        assert all(lv.name.en for lv in fw.levels), path.name


def test_bulk_writes_refuse_published_and_retired_versions() -> None:
    draft, _ = services.framework_version_load(actor=None, text=set_text(code="nhap"))
    published = FrameworkVersion.objects.filter(code="sme-dx")
    hash_before = published.get().content_hash
    for attempt in (
        lambda: published.update(definition={}),
        lambda: published.update(status=Status.DRAFT),
        lambda: FrameworkVersion.objects.all().update(source="x"),  # one draft among them
        lambda: published.delete(),
        lambda: FrameworkVersion.objects.filter(code__in=["nhap", "sme-dx"]).delete(),
    ):
        with pytest.raises(ValidationError, match=r"-dx@2025\.1 .*(thay đổi|xóa)"):
            attempt()
    assert published.get().content_hash == hash_before
    assert FrameworkVersion.objects.filter(pk=draft.pk).exists()
    old, _ = services.framework_version_load(actor=None, text=set_text(code="cu"), publish=True)
    services.framework_version_retire(actor=None, version=old)
    retired = FrameworkVersion.objects.filter(code="cu")
    for attempt in (lambda: retired.update(status=Status.PUBLISHED), lambda: retired.delete()):
        with pytest.raises(ValidationError, match="cu@1"):
            attempt()
    assert retired.get().status == Status.RETIRED
    # drafts stay editable in bulk, and a field that is no part of the content may change
    assert FrameworkVersion.objects.filter(code="nhap").update(source="y") == 1
    assert published.update(created_by=None) == 1
    assert FrameworkVersion.objects.filter(code="nhap").delete()[0] == 1
