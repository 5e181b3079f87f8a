"""Search text folded like usernames and reconciliation (pixorga.names): « Strauß » is found by « strauss »."""

from django.db import migrations

NAME_FIELDS = ["first_name", "middle_name", "last_name", "preferred_last_name"]


def refold(apps, schema_editor):
    from students.models import search_text_of

    OrganizationLearner = apps.get_model("students", "OrganizationLearner")
    # Only names outside ASCII can fold differently; the others keep their text.
    non_ascii = OrganizationLearner.objects.none()
    for field in NAME_FIELDS:
        non_ascii = non_ascii | OrganizationLearner.objects.filter(**{f"{field}__regex": r"[^\x01-\x7f]"})
    changed = []
    for learner in non_ascii.only("pk", "search_text", "national_student_id", "student_number", *NAME_FIELDS).iterator(
        chunk_size=2000
    ):
        text = search_text_of(learner)
        if text != learner.search_text:
            learner.search_text = text
            changed.append(learner)
    OrganizationLearner.objects.bulk_update(changed, ["search_text"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("students", "0002_learnerimport_confirmed_by")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
