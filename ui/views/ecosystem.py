"""Staff: organisations of Greater Geneva and Haute-Savoie in funded projects, by theme."""

from collections import defaultdict

import streamlit as st

from funding.i18n import t
from ui import common, resources

lang = common.lang()
st.title(t("ecosystem", lang))
common.require_staff(lang)
st.caption(t("ecosystem_intro", lang))

rows = resources.ecosystem(lang)
by_theme: dict[str, list[dict]] = defaultdict(list)
for row in rows:
    for theme in row["themes"] or ["—"]:
        by_theme[theme].append(row)
for theme, found in sorted(by_theme.items(), key=lambda item: -len(item[1])):
    with st.expander(f"{theme} ({len(found)})"):
        st.dataframe(
            [
                {
                    t("organisation", lang): r["organisation"],
                    t("org_type", lang): r["type"],
                    t("region", lang): r["region"],
                    t("role", lang): r["role"],
                    t("project", lang): r["project"],
                    t("title", lang): r["title"],
                    t("start", lang): r["start"],
                    t("link", lang): r["url"],
                }
                for r in found
            ],
            hide_index=True,
            width="stretch",
            column_config={t("link", lang): st.column_config.LinkColumn(t("link", lang))},
        )
