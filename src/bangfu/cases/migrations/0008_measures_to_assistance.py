"""The measure catalogue and the measures now belong to the assistance app (assistance/0001
took them over, tables and rows as they are); the cases app forgets them."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_evaluation_gaps"),
        ("assistance", "0001_measures_from_cases"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Measure"),
                migrations.DeleteModel(name="MeasureKind"),
            ],
            database_operations=[],
        ),
    ]
