"""Single-column indexes that a composite index already leads with, dropped.

Every submission writes a response and about 27 answers; each index is one more insertion per
row (and, at a million responses, hundreds of megabytes). The lookups they served use the
composite indexes: answer (response, question) unique and (question, value); response
(campaign, submitted_at) and (unit, submitted_at); seal (campaign, seq) unique. Only the
indexes are dropped: the foreign keys stay as they are (Django's own AlterField would drop and
re-add each constraint, checking every row again).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('wagtail_satisfaction', '0020_day_tallies'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.AlterField(
                model_name='answer',
                name='question',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='answers', to='wagtail_satisfaction.question'),
            ),
            migrations.AlterField(
                model_name='answer',
                name='response',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='answers', to='wagtail_satisfaction.response'),
            ),
            migrations.AlterField(
                model_name='response',
                name='campaign',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='wagtail_satisfaction.campaign', verbose_name='campaign'),
            ),
            migrations.AlterField(
                model_name='response',
                name='unit',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='responses', to='wagtail_satisfaction.unit', verbose_name='unit'),
            ),
            migrations.AlterField(
                model_name='responseseal',
                name='campaign',
                field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='wagtail_satisfaction.campaign'),
            ),
            ],
            database_operations=[
            migrations.RunSQL(
                'DROP INDEX IF EXISTS "wagtail_satisfaction_answer_question_id_772711de"',
                reverse_sql='CREATE INDEX "wagtail_satisfaction_answer_question_id_772711de" ON "wagtail_satisfaction_answer" ("question_id")',
            ),
            migrations.RunSQL(
                'DROP INDEX IF EXISTS "wagtail_satisfaction_answer_response_id_8e31c196"',
                reverse_sql='CREATE INDEX "wagtail_satisfaction_answer_response_id_8e31c196" ON "wagtail_satisfaction_answer" ("response_id")',
            ),
            migrations.RunSQL(
                'DROP INDEX IF EXISTS "wagtail_satisfaction_response_campaign_id_323caf3f"',
                reverse_sql='CREATE INDEX "wagtail_satisfaction_response_campaign_id_323caf3f" ON "wagtail_satisfaction_response" ("campaign_id")',
            ),
            migrations.RunSQL(
                'DROP INDEX IF EXISTS "wagtail_satisfaction_response_unit_id_778642b0"',
                reverse_sql='CREATE INDEX "wagtail_satisfaction_response_unit_id_778642b0" ON "wagtail_satisfaction_response" ("unit_id")',
            ),
            migrations.RunSQL(
                'DROP INDEX IF EXISTS "wagtail_satisfaction_responseseal_campaign_id_4002a5c6"',
                reverse_sql='CREATE INDEX "wagtail_satisfaction_responseseal_campaign_id_4002a5c6" ON "wagtail_satisfaction_responseseal" ("campaign_id")',
            ),
            ],
        ),
    ]
