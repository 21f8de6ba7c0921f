"""Digests and other e-mails as MIME messages: Jinja2 HTML (inline styles, autoescaped) and plain text,
with one-click unsubscribe headers (RFC 8058)."""

import re
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from functools import cache
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, select_autoescape

from funding.access.accounts import SIGN_IN_LINK_MINUTES, sign_in_url
from funding.access.signing import normalize_email
from funding.digests.build import Digest
from funding.digests.subscriptions import make_token
from funding.i18n import t
from funding.normalize import format_amount, format_date
from funding.settings import Settings, get_settings
from funding.store.models import Subscriber, utcnow

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "new": "Nouveaux appels qui vous correspondent",
        "changed": "Appels modifiés",
        "closing": "Appels suivis qui ferment bientôt",
        "reminder": "Échéances à venir de vos appels suivis",
        "deadline": "Échéance",
        "no_deadline": "échéance à vérifier",
        "days_left": "J-{days}",
        "eligible": "éligible",
        "to_verify": "à vérifier",
        "ineligible": "non éligible",
        "before": "avant",
        "after": "maintenant",
        "funder": "Financeur",
        "amount_max": "Montant maximum",
        "see_call": "Voir l'appel",
        "see_all": "Voir les {more} autres appels",
        "see_one_more": "Voir l'autre appel",
        "open_radar": "Ouvrir Funding Radar",
        "why": "Pourquoi",
        "intro": "Voici les appels à projets pour « {name} » depuis le {since}.",
        "reminder_intro": "Les échéances de ces appels que « {name} » suit approchent.",
        "empty": "Aucun nouvel appel cette fois-ci.",
        "unsubscribe": "Se désabonner",
        "footer": "Vous recevez ce courriel car vous êtes abonné·e aux synthèses de Funding Radar "
        "pour « {name} ».",
        "watched": "suivi",
    },
    "en": {
        "new": "New calls that fit",
        "changed": "Changed calls",
        "closing": "Watched calls closing soon",
        "reminder": "Upcoming deadlines of your watched calls",
        "deadline": "Deadline",
        "no_deadline": "deadline to verify",
        "days_left": "{days} days left",
        "eligible": "eligible",
        "to_verify": "to verify",
        "ineligible": "ineligible",
        "before": "before",
        "after": "now",
        "funder": "Funder",
        "amount_max": "Maximum amount",
        "see_call": "See the call",
        "see_all": "See the {more} other calls",
        "see_one_more": "See the other call",
        "open_radar": "Open Funding Radar",
        "why": "Why",
        "intro": "Here are the calls for “{name}” since {since}.",
        "reminder_intro": "Deadlines of calls “{name}” watches are coming.",
        "empty": "No new call this time.",
        "unsubscribe": "Unsubscribe",
        "footer": "You receive this e-mail because you subscribed to Funding Radar digests for "
        "“{name}”.",
        "watched": "watched",
    },
}


# French puts a narrow no-break space before : ; ! ? (a plain space would let the sign start a line).
COLON = {"fr": "\u202f:", "en": ":"}
_BEFORE_SIGN = re.compile(r"[ \u00a0]([:;!?])(?=\s|$)")


def typography(text: str, lang: str) -> str:
    """Our own sentences (the engine's reasons) with French spacing before : ; ! ? in French."""
    return _BEFORE_SIGN.sub("\u202f\\1", text) if lang == "fr" else text


def money(amount: float, currency: str | None, lang: str) -> str:
    return format_amount(amount, currency or "EUR", lang)


# Load once: one Jinja environment per process, its templates compiled once (not a performance
# cache).
@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("funding.digests", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["day"] = format_date
    env.filters["typography"] = typography
    env.filters["money"] = money
    return env


def subject(digest: Digest) -> str:
    """How many calls and the nearest deadline: '3 appels pour Eau Sahel — prochaine échéance le …'."""
    n, name, lang = len(digest.items), digest.partnership.name, digest.subscriber.language
    nearest = digest.nearest_deadline
    text = t("subject_calls", lang, count=n, s="s" if n != 1 else "", name=name)
    if digest.kind == "reminder":
        text = t("subject_reminder", lang, text=text)
    return text + (
        t("subject_next_deadline", lang, day=format_date(nearest, lang)) if nearest else ""
    )


def links(subscriber: Subscriber, settings: Settings | None = None) -> dict[str, str]:
    """Unsubscribe (page and mailto), and the radar: a sign-in link that opens their partnership."""

    settings = settings or get_settings()
    base = settings.public_url.rstrip("/")
    token = make_token("unsubscribe", subscriber)
    mailbox = settings.unsubscribe_mailto or parseaddr(settings.smtp_sender)[1]
    return {
        "unsubscribe": f"{base}/unsubscribe?{urlencode({'token': token})}",
        "unsubscribe_mailto": f"mailto:{mailbox}?subject={quote('unsubscribe ' + token)}",
        "radar": sign_in_url(subscriber.email, purpose="manage", settings=settings)
        + f"&{urlencode({'partnership': subscriber.partnership_id})}",
    }


def _message(
    to: str,
    subject_line: str,
    text: str,
    html: str | None,
    *,
    message_id: str | None,
    settings: Settings,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject_line
    message["Date"] = format_datetime(utcnow())
    if message_id:
        message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def render_digest(
    digest: Digest, *, message_id: str | None = None, settings: Settings | None = None
) -> EmailMessage:
    """The digest (or reminder) e-mail, with List-Unsubscribe and one-click unsubscribe headers."""
    settings = settings or get_settings()
    lang = digest.subscriber.language if digest.subscriber.language in WORDS else "fr"
    urls = links(digest.subscriber, settings)
    context = {
        "d": digest,
        "w": WORDS[lang],
        "lang": lang,
        "colon": COLON[lang],
        "name": digest.partnership.name,
        "since": format_date(digest.since.date(), lang),
        "links": urls,
        "sections": [
            (key, [i for i in digest.shown if i.section == key])
            for key in ("new", "changed", "closing")
        ],
        "subject": subject(digest),
    }
    text = environment().get_template("digest.txt").render(context)
    html = environment().get_template("digest.html").render(context)
    message = _message(
        digest.subscriber.email,
        context["subject"],
        text,
        html,
        message_id=message_id,
        settings=settings,
    )
    message["List-Id"] = (
        f"Funding Radar <digest.{parseaddr(settings.smtp_sender)[1].split('@')[-1]}>"
    )
    # As written, folded only after its comma: mail providers look for bare <https://…> and
    # <mailto:…> (RFC 2369, RFC 8058); the default policy would RFC 2047-encode a line this long.
    message.policy = message.policy.clone(refold_source="none")
    message.set_raw(
        "List-Unsubscribe", f"<{urls['unsubscribe']}>,\n <{urls['unsubscribe_mailto']}>"
    )
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return message


def render_confirmation(
    subscriber: Subscriber,
    partnership_name: str,
    *,
    message_id: str | None = None,
    settings: Settings | None = None,
) -> EmailMessage:
    """Double opt-in: the only e-mail a pending address gets."""

    settings = settings or get_settings()
    lang = subscriber.language if subscriber.language in WORDS else "fr"
    token = make_token("confirm", subscriber)
    url = f"{settings.public_url.rstrip('/')}/confirm?{urlencode({'token': token})}"
    context = {"lang": lang, "name": partnership_name, "url": url, "email": subscriber.email}
    text = environment().get_template("confirm.txt").render(context)
    html = environment().get_template("confirm.html").render(context)
    title = t("subject_confirm", lang, name=partnership_name)
    return _message(subscriber.email, title, text, html, message_id=message_id, settings=settings)


def render_staff_alert(
    subject_line: str, body: str, recipients: list[str], *, settings: Settings | None = None
) -> EmailMessage:
    settings = settings or get_settings()
    return _message(
        ", ".join(formataddr(("", r)) for r in recipients),
        f"[Funding Radar] {subject_line}",
        body,
        None,
        message_id=None,
        settings=settings,
    )


def render_sign_in(email: str, lang: str, *, settings: Settings | None = None) -> EmailMessage:
    """The e-mail that carries a project lead's sign-in link."""
    settings = settings or get_settings()
    context = {
        "lang": lang,
        "url": sign_in_url(email, settings=settings),
        "minutes": SIGN_IN_LINK_MINUTES,
    }
    text = environment().get_template("signin.txt").render(context)
    title = t("subject_sign_in", lang)
    return _message(normalize_email(email), title, text, None, message_id=None, settings=settings)
