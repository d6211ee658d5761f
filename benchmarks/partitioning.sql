-- Yearly partitions for responses and answers, tried on a benchmark database (docs/deploy.md).
--
--   psql postgres://postgres@127.0.0.1:5432/bench_d13 -v ON_ERROR_STOP=1 -f benchmarks/partitioning.sql
--
-- Builds partitioned copies of wagtail_satisfaction_response and _answer in a scratch schema,
-- copies the rows the benchmark stored, checks that the per-campaign rules still hold, that
-- a query for one year reads one partition, and that a year leaves with DETACH; then drops
-- the schema. The key is the campaign's year (a column copied from Campaign.opens_on), not
-- submitted_at: a unique index on a partitioned table must contain the partition key, and
-- with the campaign's year "one rating per proven dossier per campaign" stays exact even
-- for a campaign that runs over New Year.
\set QUIET on
BEGIN;
DROP SCHEMA IF EXISTS partition_trial CASCADE;
CREATE SCHEMA partition_trial;
SET search_path = partition_trial, public;

CREATE TABLE response (
    LIKE public.wagtail_satisfaction_response INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    year smallint NOT NULL,
    PRIMARY KEY (year, id)
) PARTITION BY RANGE (year);
-- The same id sequence: ids stay unique over all years, so Django can keep "id" as the pk.
ALTER TABLE response ALTER COLUMN id
    SET DEFAULT nextval('public.wagtail_satisfaction_response_id_seq');
CREATE UNIQUE INDEX response_one_per_proven_dossier ON response (year, campaign_id, dossier_code)
    WHERE dossier_proven AND dossier_code <> '';
CREATE UNIQUE INDEX response_one_per_email ON response (year, campaign_id, email_key)
    WHERE email_key <> '';
CREATE UNIQUE INDEX response_uid ON response (year, uid);
CREATE INDEX response_campaign_submitted ON response (campaign_id, submitted_at);
CREATE INDEX response_unit_submitted ON response (unit_id, submitted_at);
ALTER TABLE response ADD FOREIGN KEY (campaign_id)
    REFERENCES public.wagtail_satisfaction_campaign (id) DEFERRABLE INITIALLY DEFERRED;

CREATE TABLE answer (
    id bigint NOT NULL DEFAULT nextval('public.wagtail_satisfaction_answer_id_seq'),
    year smallint NOT NULL,
    response_id bigint NOT NULL,
    question_id bigint NOT NULL
        REFERENCES public.wagtail_satisfaction_question (id) DEFERRABLE INITIALLY DEFERRED,
    value smallint,
    PRIMARY KEY (year, id),
    UNIQUE (year, response_id, question_id),
    FOREIGN KEY (year, response_id) REFERENCES response (year, id)
        ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
) PARTITION BY RANGE (year);
CREATE INDEX answer_question_value ON answer (question_id, value);

CREATE TABLE response_2025 PARTITION OF response FOR VALUES FROM (2025) TO (2026);
CREATE TABLE response_2026 PARTITION OF response FOR VALUES FROM (2026) TO (2027);
CREATE TABLE response_default PARTITION OF response DEFAULT;
CREATE TABLE answer_2025 PARTITION OF answer FOR VALUES FROM (2025) TO (2026);
CREATE TABLE answer_2026 PARTITION OF answer FOR VALUES FROM (2026) TO (2027);
CREATE TABLE answer_default PARTITION OF answer DEFAULT;

-- Copy what the benchmark stored (the year from each response's campaign).
INSERT INTO response SELECT r.*, extract(year FROM c.opens_on)::smallint
FROM public.wagtail_satisfaction_response r
JOIN public.wagtail_satisfaction_campaign c ON c.id = r.campaign_id;
INSERT INTO answer (id, year, response_id, question_id, value)
SELECT a.id, r.year, a.response_id, a.question_id, a.value
FROM public.wagtail_satisfaction_answer a JOIN response r ON r.id = a.response_id;
\echo rows per partition:
SELECT tableoid::regclass AS partition, count(*) FROM response GROUP BY 1
UNION ALL SELECT tableoid::regclass, count(*) FROM answer GROUP BY 1 ORDER BY 1;

-- The rule still holds: a second rating of a proven dossier is refused by the database.
\echo a second rating of a proven dossier:
SAVEPOINT twice;
\set ON_ERROR_STOP off
INSERT INTO response (year, campaign_id, questionnaire_id, channel, submitted_at, unit_id,
                      dossier_code, dossier_proven, email, email_key, uid, index_applicable,
                      index_satisfied, dissatisfied)
SELECT year, campaign_id, questionnaire_id, channel, now(), unit_id, dossier_code, true, '', '',
       gen_random_uuid(), 0, 0, false
FROM response WHERE dossier_proven LIMIT 1;
\set ON_ERROR_STOP on
ROLLBACK TO SAVEPOINT twice;

-- An answer must belong to a response of its year.
\echo an answer whose response is not in its year:
SAVEPOINT orphan;
\set ON_ERROR_STOP off
INSERT INTO answer (year, response_id, question_id, value)
SELECT 2025, id, (SELECT min(id) FROM public.wagtail_satisfaction_question), 5
FROM response WHERE year = 2026 LIMIT 1;
SET CONSTRAINTS ALL IMMEDIATE;
\set ON_ERROR_STOP on
ROLLBACK TO SAVEPOINT orphan;

-- A report of one campaign names its year: one partition is read.
\echo plan of a report query for one campaign, its year given:
EXPLAIN (COSTS OFF) SELECT count(*), sum(index_satisfied) FROM response
WHERE year = 2026 AND campaign_id = (SELECT min(id) FROM public.wagtail_satisfaction_campaign);

-- An old year leaves without a DELETE: detach (then pg_dump -t and DROP).
ALTER TABLE answer DETACH PARTITION answer_2025;
ALTER TABLE response DETACH PARTITION response_2025;
\echo partitions after detaching 2025:
SELECT inhparent::regclass AS parent, inhrelid::regclass AS partition FROM pg_inherits
WHERE inhparent IN ('response'::regclass, 'answer'::regclass) ORDER BY 1, 2;
ROLLBACK;
\echo partitioning trial done (rolled back)
