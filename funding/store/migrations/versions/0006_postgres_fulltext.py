"""postgres fulltext

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-28 10:00:00.000000

French and English full-text search on PostgreSQL, accents folded like SQLite's FTS5
(`remove_diacritics 2`): an immutable folding function (unaccent is not immutable, and needs an
extension), a document function combining the 'simple' (exact and prefix words, weighted title A,
eligibility B, summary C: `word:ABC` finds the words as written, the stems are weight D), 'french' and 'english' configurations, stored in the generated
column opportunity.fulltext (left out of the SQLModel table: the database fills it) with a GIN
index that replaces 0001's 'simple' index. Both functions are created in the schema the migration runs in
and named with it, so the index still resolves them under another search_path (pg_dump, restores).
Nothing to do on SQLite, whose FTS5 index already folds accents.
"""

from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None

ACCENTED = "àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿžšł’‘`"
PLAIN = "aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyzsl'''"
# concat_ws is only stable: an immutable body keeps the function inlinable and its index usable.
ALL_TEXT = "coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(eligibility, '')"
OLD_DOCUMENT = (
    "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(summary_plain, '') || ' ' "
    "|| coalesce(eligibility_plain, ''))"
)


def _schema() -> str:
    name = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    return '"' + name.replace('"', '""') + '"'


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    assert len(ACCENTED) == len(PLAIN)
    op.execute(
        f"CREATE OR REPLACE FUNCTION {schema}.funding_fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$ "
        "SELECT replace(replace(translate(lower(value), "
        f"'{ACCENTED.replace(chr(39), chr(39) * 2)}', '{PLAIN.replace(chr(39), chr(39) * 2)}'), "
        "'œ', 'oe'), 'æ', 'ae') $$"
    )
    op.execute(
        f"CREATE OR REPLACE FUNCTION {schema}.funding_document(title text, summary text, "
        "eligibility text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT "
        f"setweight(to_tsvector('simple'::regconfig, {schema}.funding_fold(coalesce(title, ''))), 'A')"
        f" || setweight(to_tsvector('simple'::regconfig, "
        f"{schema}.funding_fold(coalesce(summary, ''))), 'C')"
        f" || setweight(to_tsvector('simple'::regconfig, "
        f"{schema}.funding_fold(coalesce(eligibility, ''))), 'B')"
        f" || to_tsvector('french'::regconfig, {schema}.funding_fold({ALL_TEXT}))"
        f" || to_tsvector('english'::regconfig, {schema}.funding_fold({ALL_TEXT})) $$"
    )
    op.execute("DROP INDEX IF EXISTS ix_opportunity_fulltext")
    # Stored, so a scan or a rank never recomputes five tsvectors per row.
    op.execute(
        "ALTER TABLE opportunity ADD COLUMN fulltext tsvector GENERATED ALWAYS AS "
        f"({schema}.funding_document(title, summary_plain, eligibility_plain)) STORED"
    )
    op.execute("CREATE INDEX ix_opportunity_fulltext ON opportunity USING gin (fulltext)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    op.execute("DROP INDEX IF EXISTS ix_opportunity_fulltext")
    op.execute("ALTER TABLE opportunity DROP COLUMN IF EXISTS fulltext")
    op.execute(f"DROP FUNCTION IF EXISTS {schema}.funding_document(text, text, text)")
    op.execute(f"DROP FUNCTION IF EXISTS {schema}.funding_fold(text)")
    op.execute(f"CREATE INDEX ix_opportunity_fulltext ON opportunity USING gin (({OLD_DOCUMENT}))")
