"""Staff: organisations of Greater Geneva and Haute-Savoie in funded projects, by theme."""

from collections import defaultdict

import streamlit as st

from funding.i18n import t
from ui import common, resources

lang = common.lang()
st.title(t("ecosystem", lang))
common.require_staff(lang)
st.caption(t("ecosystem_intro", lang))

COLUMNS = {
    "organisation": "organisation",
    "org_type": "type",
    "region": "region",
    "role": "role",
    "project": "project",
    "title": "title",
    "start": "start",
    "link": "url",
}
rows = resources.ecosystem(lang)
by_theme: dict[str, list[dict]] = defaultdict(list)
for row in rows:
    for theme in row["themes"] or ["—"]:
        by_theme[theme].append(row)
for theme, found in sorted(by_theme.items(), key=lambda item: -len(item[1])):
    with st.expander(f"{theme} ({len(found)})"):
        common.frame(found, COLUMNS, lang)
