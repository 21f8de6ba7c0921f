"""postgres fulltext words

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 12:00:00

PostgreSQL's 'simple' words of each field are cut as SQLite's FTS5 cuts them (unicode61: every
run of characters that are not letters or digits separates words), so both databases count the
same calls for a word ("HIV/AIDS" is the words hiv and aids, not one path-like token): the
matching engine weighs words by these counts and must rank alike on both. The French and English
stems are unchanged. Every stored document is computed again.
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _schema() -> str:
    name = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    return '"' + name.replace('"', '""') + '"'


def _document(schema: str, words: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {schema}.funding_document_folded(title text, summary text, "
        "eligibility text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT "
        f"setweight(to_tsvector('simple'::regconfig, {words.format('title')}), 'A')"
        f" || setweight(to_tsvector('simple'::regconfig, {words.format('summary')}), 'C')"
        f" || setweight(to_tsvector('simple'::regconfig, {words.format('eligibility')}), 'B')"
        " || to_tsvector('french'::regconfig, title || ' ' || summary || ' ' || eligibility)"
        " || to_tsvector('english'::regconfig, title || ' ' || summary || ' ' || eligibility) $$"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_document(_schema(), "regexp_replace({}, '[^[:alnum:]]+', ' ', 'g')"))
    op.execute("UPDATE opportunity SET title = title")  # the generated column, computed again


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_document(_schema(), "{}"))
    op.execute("UPDATE opportunity SET title = title")
