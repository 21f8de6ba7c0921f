"""The calls a partnership follows: rows with their deadlines, a calendar, iCalendar and CSV exports."""

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Alarm, Calendar, Event
from sqlmodel import Session, col, select

from funding.contracts.status import next_deadline
from funding.i18n import t
from funding.normalize import format_amount, format_date
from funding.store.models import Opportunity, WatchedCall, utcnow
from funding.views.presentation import deadline_label, opportunity_status, spreadsheet_cell

CSV_COLUMNS = (
    "id",
    "title",
    "funder",
    "stage",
    "next_deadline",
    "deadlines",
    "amount_max",
    "currency",
    "status",
    "url",
    "notes",
)


def watched_rows(
    session: Session, partnership_id: int, *, as_of: date, lang: str = "fr"
) -> list[dict[str, Any]]:
    """Every followed call with its stage, notes, next deadline and every deadline, soonest first."""
    query = (
        select(WatchedCall, Opportunity)
        .join(Opportunity, col(Opportunity.id) == col(WatchedCall.opportunity_id))
        .where(WatchedCall.partnership_id == partnership_id)
    )
    rows = []
    for watched, o in session.exec(query):
        deadline = next_deadline(o.deadlines, as_of)
        rows.append(
            {
                "id": o.id,
                "title": o.title,
                "funder": o.funder or "",
                "url": o.url,
                "stage": watched.stage,
                "notes": watched.notes or "",
                "next_deadline": deadline,
                "deadlines": [date.fromisoformat(d) for d in o.deadlines or ()],
                "next_deadline_label": deadline_label(o, as_of=as_of, lang=lang)
                or t("no_deadline", lang),
                "days_left": (deadline - as_of).days if deadline else None,
                "amount_max": o.amount_max,
                "currency": o.currency or "EUR",
                "amount_label": format_amount(o.amount_max, o.currency or "EUR", lang),
                "status": opportunity_status(o, as_of),
            }
        )
    rows.sort(
        key=lambda r: (r["next_deadline"] is None, r["next_deadline"] or date.max, r["title"])
    )
    return rows


def deadline_calendar(
    rows: list[dict[str, Any]], *, as_of: date, lang: str = "fr"
) -> list[tuple[str, list[dict[str, Any]]]]:
    """Upcoming deadlines grouped by month ('avril 2026', [{day, title, stage}, ...]), in order."""
    months: dict[tuple[int, int], list[dict[str, Any]]] = {}
    for row in rows:
        for day in row["deadlines"]:
            if day >= as_of:
                months.setdefault((day.year, day.month), []).append(
                    {
                        "day": day,
                        "label": format_date(day, lang),
                        "title": row["title"],
                        "stage": t(row["stage"], lang),
                        "id": row["id"],
                    }
                )
    out = []
    for year, month in sorted(months):
        name = format_date(date(year, month, 1), lang).split(" ", 1)[1]
        out.append((name, sorted(months[(year, month)], key=lambda e: (e["day"], e["title"]))))
    return out


def to_ical(
    rows: list[dict[str, Any]],
    *,
    partnership: str,
    as_of: date,
    lang: str = "fr",
    now: datetime | None = None,
    remind_days: int = 7,
) -> bytes:
    """An iCalendar file: one all-day event per upcoming deadline, with a reminder before it."""
    calendar = Calendar()
    calendar.add("prodid", "-//Funding Radar//funding-radar//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Funding Radar – {partnership}")
    stamp = now or utcnow()
    label = t("ical_deadline", lang)
    for row in rows:
        for day in row["deadlines"]:
            if day < as_of:
                continue
            event = Event()
            event.add("uid", f"{row['id']}-{day.isoformat()}@funding-radar")
            event.add("dtstamp", stamp)
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("summary", f"{label} : {row['title']}")
            description = [row["funder"], t(row["stage"], lang), row["url"]]
            if row["notes"]:
                description.append(row["notes"])
            event.add("description", "\n".join(p for p in description if p))
            event.add("url", row["url"])
            event.add("transp", "TRANSPARENT")
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{label} : {row['title']}")
            alarm.add("trigger", timedelta(days=-remind_days))
            event.add_component(alarm)
            calendar.add_component(event)
    return calendar.to_ical()


def to_csv(rows: list[dict[str, Any]], lang: str | None = None) -> bytes:
    """The watchlist as CSV (UTF-8 with BOM so spreadsheet programs read the accents).

    Without `lang`: the codes, comma-separated. In French: `;`-separated (French Excel opens a
    comma file in one column), headers and stages in words, amounts with a decimal comma; in
    English: headers and stages in words, comma-separated.
    """
    from funding.i18n import t

    out = io.StringIO()
    delimiter = ";" if lang == "fr" else ","
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow([t(f"csv_{c}", lang) if lang else c for c in CSV_COLUMNS])
    for row in rows:
        amount = "" if row["amount_max"] is None else row["amount_max"]
        if lang == "fr" and amount != "":
            amount = f"{amount:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        cells = {
            **row,
            "next_deadline": row["next_deadline"].isoformat() if row["next_deadline"] else "",
            "deadlines": (", " if lang == "fr" else ";").join(
                d.isoformat() for d in row["deadlines"]
            ),
            "amount_max": amount,
            "stage": t(row["stage"], lang) if lang else row["stage"],
            "status": t(row["status"], lang) if lang and row.get("status") else row.get("status"),
        }
        # Funder text and notes never run as formulas in Excel or LibreOffice.
        writer.writerow([spreadsheet_cell(cells.get(key)) for key in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
