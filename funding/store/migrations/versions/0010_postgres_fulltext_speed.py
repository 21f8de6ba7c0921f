"""postgres fulltext speed

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 16:00:00.000000

The same full-text document as 0006, computed about twice as fast, so PostgreSQL stores new rows
faster: the generated column opportunity.fulltext was most of an insert's server time (about 4 ms
of CPU per row of 3.4 KB of text, against 0.3 ms for the rest of a new opportunity). Two causes,
measured on the bundled snapshot (benchmarks/scale_benchmark.py --fulltext):

- funding_fold folded the whole text three times per row (once per field for the 'simple' parts,
  then the three fields again for the 'french' part and again for the 'english' part), about 55 %
  of the time: funding_document now folds each field once and hands the folded fields to
  funding_document_folded, which is not inlined (its arguments are used more than once and are
  costly), so they are computed once;
- translate() compares every character of the text with each of the 44 characters it folds (one
  pg_mblen per comparison): a chain of replace() calls, one fast substring search each, gives the
  same text in half the time (no replacement makes a character another replace() would change).

The documents are the same, byte for byte (tests/scale/test_pg_fulltext.py compares them with
0006's functions on the whole snapshot), so the stored column and its GIN index stay as they are:
nothing is recomputed. Nothing to do on SQLite.
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# 0006's pairs: every character of ACCENTED becomes the one at the same place in PLAIN.
ACCENTED = "àáâãäåāçćčèéêëēėęìíîïīñńòóôõöøōùúûüūýÿžšł’‘`"
PLAIN = "aaaaaaaccceeeeeeeiiiiinnooooooouuuuuyyzsl'''"
LIGATURES = {"œ": "oe", "æ": "ae"}


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def fold_expression(value: str) -> str:
    """lower(value) with every accent folded, as 0006's translate(), in replace() calls."""
    assert len(ACCENTED) == len(PLAIN) == len(set(ACCENTED))
    expression = f"lower({value})"
    for accented, plain in [*zip(ACCENTED, PLAIN, strict=True), *LIGATURES.items()]:
        # No replacement writes a character that a later one replaces: order is free.
        assert plain not in ACCENTED and accented not in "".join(LIGATURES.values())
        expression = f"replace({expression}, {_literal(accented)}, {_literal(plain)})"
    return expression


def _schema() -> str:
    name = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar()
    return '"' + name.replace('"', '""') + '"'


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    op.execute(
        f"CREATE OR REPLACE FUNCTION {schema}.funding_fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$ "
        f"SELECT {fold_expression('value')} $$"
    )
    # Folded fields in, 0006's document out: the 'simple' words of each field, weighted, then the
    # French and English stems of the three fields together.
    op.execute(
        f"CREATE OR REPLACE FUNCTION {schema}.funding_document_folded(title text, summary text, "
        "eligibility text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT "
        "setweight(to_tsvector('simple'::regconfig, title), 'A')"
        " || setweight(to_tsvector('simple'::regconfig, summary), 'C')"
        " || setweight(to_tsvector('simple'::regconfig, eligibility), 'B')"
        " || to_tsvector('french'::regconfig, title || ' ' || summary || ' ' || eligibility)"
        " || to_tsvector('english'::regconfig, title || ' ' || summary || ' ' || eligibility) $$"
    )
    # Same name and arguments as 0006: the generated column and its index keep using it.
    op.execute(
        f"CREATE OR REPLACE FUNCTION {schema}.funding_document(title text, summary text, "
        "eligibility text) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT "
        f"{schema}.funding_document_folded({schema}.funding_fold(coalesce(title, '')), "
        f"{schema}.funding_fold(coalesce(summary, '')), "
        f"{schema}.funding_fold(coalesce(eligibility, ''))) $$"
    )


def downgrade() -> None:
    """Back to 0006's functions (the same documents, computed the slow way)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    schema = _schema()
    all_text = (
        "coalesce(title, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(eligibility, '')"
    )
    op.execute(
        f"CREATE OR REPLACE FUNCTION {schema}.funding_fold(value text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$ "
        f"SELECT replace(replace(translate(lower(value), {_literal(ACCENTED)}, {_literal(PLAIN)}), "
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
        f" || to_tsvector('french'::regconfig, {schema}.funding_fold({all_text}))"
        f" || to_tsvector('english'::regconfig, {schema}.funding_fold({all_text})) $$"
    )
    op.execute(f"DROP FUNCTION IF EXISTS {schema}.funding_document_folded(text, text, text)")
