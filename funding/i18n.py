"""Interface words in French (the default) and English."""

import re

from funding.settings import get_settings

MESSAGES: dict[str, dict[str, str]] = {
    "app_title": {"fr": "Funding Radar", "en": "Funding Radar"},
    "opportunities": {"fr": "Appels et financements", "en": "Calls and funding"},
    "search": {
        "fr": "Rechercher (titre, résumé, éligibilité)",
        "en": "Search (title, summary, eligibility)",
    },
    "status": {"fr": "Statut", "en": "Status"},
    "all": {"fr": "Tous", "en": "All"},
    "title": {"fr": "Titre", "en": "Title"},
    "funder": {"fr": "Financeur", "en": "Funder"},
    "next_deadline": {"fr": "Prochaine échéance", "en": "Next deadline"},
    "amount_max": {"fr": "Montant max.", "en": "Max. amount"},
    "source": {"fr": "Source", "en": "Source"},
    "link": {"fr": "Lien", "en": "Link"},
    "found": {
        "fr": "{count} résultat(s) sur {total} appels",
        "en": "{count} result(s) out of {total} calls",
    },
    "empty": {"fr": "Aucun appel ne correspond.", "en": "No call matches."},
    "forthcoming": {"fr": "à venir", "en": "forthcoming"},
    "open": {"fr": "ouvert", "en": "open"},
    "closed": {"fr": "clôturé", "en": "closed"},
    "unknown": {"fr": "à vérifier", "en": "to verify"},
    "permanent": {"fr": "permanente", "en": "permanent"},  # une aide permanente
    "closed_on": {"fr": "close le {day}", "en": "closed on {day}"},
}


def language(requested: str | None = None) -> str:
    """fr unless English is asked for (by the caller or FUNDING_LANGUAGE)."""
    lang = (requested or get_settings().language or "fr").lower()[:2]
    return lang if lang in ("fr", "en") else "fr"


def t(key: str, lang: str = "fr", **values: object) -> str:
    text = MESSAGES[key].get(lang) or MESSAGES[key]["fr"]
    return text.format(**values) if values else text


# The interface's pages (Find funding, Opportunity, Watchlist, Monitor, Subscribers, sign-in).
MESSAGES.update(
    {
        "find_funding": {"fr": "Trouver des financements", "en": "Find funding"},
        "opportunity": {"fr": "Fiche de l'appel", "en": "Call details"},
        "watchlist": {"fr": "Appels suivis", "en": "Watchlist"},
        "monitor": {"fr": "Veille (équipe)", "en": "Monitor (staff)"},
        "subscribers": {"fr": "Abonnés (équipe)", "en": "Subscribers (staff)"},
        "sign_in": {"fr": "Connexion", "en": "Sign in"},
        "sign_out": {"fr": "Se déconnecter", "en": "Sign out"},
        "staff_section": {"fr": "Équipe", "en": "Staff"},
        "public_section": {"fr": "Projets", "en": "Projects"},
        "language": {"fr": "Langue", "en": "Language"},
        "username": {"fr": "Identifiant", "en": "User name"},
        "password": {"fr": "Mot de passe", "en": "Password"},
        "sign_in_needed": {
            "fr": "Cette page est réservée à l'équipe : connectez-vous.",
            "en": "This page is for staff: please sign in.",
        },
        "sign_in_refused": {
            "fr": "Identifiant ou mot de passe incorrect.",
            "en": "Wrong user name or password.",
        },
        "sign_in_locked": {
            "fr": "Trop d'essais manqués : réessayez dans {minutes} min.",
            "en": "Too many failed attempts: try again in {minutes} min.",
        },
        "sign_in_unconfigured": {
            "fr": "Aucun compte d'équipe n'est configuré (FUNDING_STAFF_USERS ou FUNDING_SECRETS_FILE).",
            "en": "No staff account is configured (FUNDING_STAFF_USERS or FUNDING_SECRETS_FILE).",
        },
        "signed_in_as": {"fr": "Connecté : {name}", "en": "Signed in: {name}"},
        # Find funding: the profile
        "partnership": {"fr": "Partenariat", "en": "Partnership"},
        "new_partnership": {"fr": "— nouveau profil —", "en": "— new profile —"},
        "profile": {"fr": "Profil du partenariat", "en": "Partnership profile"},
        "profile_name": {"fr": "Nom du partenariat", "en": "Partnership name"},
        "project": {"fr": "Le projet en quelques phrases", "en": "The project in a few sentences"},
        "partners": {"fr": "Partenaires", "en": "Partners"},
        "partner_count": {"fr": "Nombre de partenaires", "en": "Number of partners"},
        "partner_name": {"fr": "Nom", "en": "Name"},
        "partner_type": {"fr": "Type", "en": "Type"},
        "partner_country": {"fr": "Pays (FR, CH…)", "en": "Country (FR, CH…)"},
        "partner_role": {"fr": "Rôle", "en": "Role"},
        "partner_region": {"fr": "Région", "en": "Region"},
        "themes": {"fr": "Thèmes", "en": "Themes"},
        "keywords": {
            "fr": "Mots-clés (séparés par des virgules)",
            "en": "Keywords (comma-separated)",
        },
        "intervention_countries": {
            "fr": "Pays ou régions d'intervention (virgules)",
            "en": "Countries or regions of intervention (commas)",
        },
        "amount_wanted_min": {"fr": "Montant recherché min. (€)", "en": "Amount sought, min. (€)"},
        "amount_wanted_max": {"fr": "Montant recherché max. (€)", "en": "Amount sought, max. (€)"},
        "cofinancing": {
            "fr": "Part du budget que les partenaires financent (%)",
            "en": "Share of the budget the partners fund (%)",
        },
        "stage": {"fr": "Stade du projet", "en": "Project stage"},
        "instruments": {"fr": "Instruments", "en": "Instruments"},
        "instrument": {"fr": "Instrument", "en": "Instrument"},
        "find": {"fr": "Chercher les appels", "en": "Find calls"},
        "load_profile": {"fr": "Charger un profil (JSON)", "en": "Load a profile (JSON)"},
        "download_profile": {
            "fr": "Télécharger le profil (JSON)",
            "en": "Download the profile (JSON)",
        },
        "save_partnership": {"fr": "Enregistrer le partenariat", "en": "Save the partnership"},
        "saved": {"fr": "Partenariat enregistré.", "en": "Partnership saved."},
        "profile_invalid": {
            "fr": "Profil incomplet ou invalide :",
            "en": "Incomplete or invalid profile:",
        },
        "profile_loaded": {"fr": "Profil chargé : {name}", "en": "Profile loaded: {name}"},
        "fill_profile": {
            "fr": "Décrivez votre partenariat (ou chargez un profil JSON) pour voir les appels qui lui correspondent.",
            "en": "Describe your partnership (or load a JSON profile) to see the calls that fit it.",
        },
        # Find funding: results
        "results": {"fr": "Résultats", "en": "Results"},
        "results_count": {
            "fr": "{count} appel(s) sur {total} classé(s)",
            "en": "{count} call(s) out of {total} ranked",
        },
        "filters": {"fr": "Filtres", "en": "Filters"},
        "verdict": {"fr": "Verdict", "en": "Verdict"},
        "eligible": {"fr": "éligible", "en": "eligible"},
        "to_verify": {"fr": "à vérifier", "en": "to verify"},
        "ineligible": {"fr": "non éligible", "en": "ineligible"},
        "deadline_window": {"fr": "Échéance dans les", "en": "Deadline within"},
        "any_time": {"fr": "peu importe", "en": "any time"},
        "days": {"fr": "{n} jours", "en": "{n} days"},
        "amount_range": {"fr": "Montant de l'appel (€)", "en": "Call amount (€)"},
        "sort_by": {"fr": "Trier par", "en": "Sort by"},
        "score": {"fr": "Score", "en": "Score"},
        "deadline": {"fr": "Échéance", "en": "Deadline"},
        "days_left": {"fr": "J-{n}", "en": "{n} days left"},
        "today": {"fr": "aujourd'hui", "en": "today"},
        "amount": {"fr": "Montant", "en": "Amount"},
        "criterion": {"fr": "Critère", "en": "Criterion"},
        "result": {"fr": "Résultat", "en": "Result"},
        "explanation": {"fr": "Explication", "en": "Explanation"},
        "evidence": {"fr": "Texte du financeur", "en": "Funder's words"},
        "pass": {"fr": "✓ rempli", "en": "✓ pass"},
        "fail": {"fr": "✗ non rempli", "en": "✗ fail"},
        "hide": {"fr": "Pas pour nous", "en": "Not for us"},
        "restore": {"fr": "Rétablir", "en": "Restore"},
        "hidden_calls": {"fr": "Appels écartés ({n})", "en": "Hidden calls ({n})"},
        "follow": {"fr": "Suivre", "en": "Follow"},
        "followed": {"fr": "Suivi", "en": "Followed"},
        "details": {"fr": "Fiche complète", "en": "Full details"},
        "apply": {"fr": "Candidater sur le site du financeur", "en": "Apply on the funder's site"},
        "no_results": {
            "fr": "Aucun appel ne correspond à ce profil et à ces filtres.",
            "en": "No call fits this profile and these filters.",
        },
        "languages": {"fr": "Langue de l'appel", "en": "Call language"},
        "show_ineligible": {
            "fr": "Montrer les appels non éligibles",
            "en": "Show ineligible calls",
        },
        # Opportunity
        "choose_call": {"fr": "Identifiant de l'appel", "en": "Call id"},
        "no_such_call": {"fr": "Cet appel n'existe pas.", "en": "There is no such call."},
        "fields": {"fr": "Tous les champs", "en": "Every field"},
        "field": {"fr": "Champ", "en": "Field"},
        "value": {"fr": "Valeur", "en": "Value"},
        "seen_at": {"fr": "Vu sur", "en": "Seen at"},
        "first_seen": {"fr": "Vu la première fois", "en": "First seen"},
        "last_seen": {"fr": "Vu la dernière fois", "en": "Last seen"},
        "history": {"fr": "Historique des changements", "en": "Change history"},
        "no_history": {
            "fr": "Aucun changement depuis la première collecte.",
            "en": "No change since first seen.",
        },
        "similar": {"fr": "Appels similaires", "en": "Similar calls"},
        "same_call": {"fr": "autre édition", "en": "another edition"},
        "report": {"fr": "Signaler une erreur", "en": "Report a problem"},
        "report_message": {"fr": "Qu'est-ce qui ne va pas ?", "en": "What is wrong?"},
        "report_sent": {
            "fr": "Merci : l'équipe va vérifier.",
            "en": "Thank you: staff will check.",
        },
        "send": {"fr": "Envoyer", "en": "Send"},
        "changed_by": {"fr": "par", "en": "by"},
        "when": {"fr": "Quand", "en": "When"},
        "before": {"fr": "Avant", "en": "Before"},
        "after": {"fr": "Après", "en": "After"},
        # Watchlist
        "choose_partnership": {
            "fr": "Enregistrez d'abord un partenariat (page « Trouver des financements »).",
            "en": "Save a partnership first (page “Find funding”).",
        },
        "nothing_followed": {
            "fr": "Aucun appel suivi : utilisez « Suivre » dans les résultats.",
            "en": "No call followed yet: use “Follow” in the results.",
        },
        "notes": {"fr": "Notes", "en": "Notes"},
        "save": {"fr": "Enregistrer", "en": "Save"},
        "unfollow": {"fr": "Ne plus suivre", "en": "Unfollow"},
        "calendar": {"fr": "Calendrier des échéances", "en": "Deadline calendar"},
        "export_ics": {
            "fr": "Exporter les échéances (iCalendar)",
            "en": "Export deadlines (iCalendar)",
        },
        "export_csv": {"fr": "Exporter la liste (CSV)", "en": "Export the list (CSV)"},
        "interested": {"fr": "intéressé", "en": "interested"},
        "preparing": {"fr": "en préparation", "en": "preparing"},
        "submitted": {"fr": "déposé", "en": "submitted"},
        "won": {"fr": "obtenu", "en": "won"},
        "lost": {"fr": "refusé", "en": "lost"},
        "no_deadline": {"fr": "pas d'échéance connue", "en": "no known deadline"},
        # Monitor
        "new_this_week": {"fr": "Nouveaux cette semaine", "en": "New this week"},
        "changed_this_week": {"fr": "Modifiés cette semaine", "en": "Changed this week"},
        "closing_soon": {"fr": "Clôture sous 14 jours", "en": "Closing within 14 days"},
        "new_per_week": {
            "fr": "Nouveaux appels par semaine et par source",
            "en": "New calls per week, per source",
        },
        "source_health": {"fr": "Santé des sources", "en": "Source health"},
        "review_queue": {"fr": "À revoir", "en": "Review queue"},
        "extractions": {
            "fr": "Valeurs lues dans le texte (confiance faible)",
            "en": "Values read from text (low confidence)",
        },
        "duplicates": {"fr": "Doublons possibles", "en": "Possible duplicates"},
        "reports": {"fr": "Signalements", "en": "Reports"},
        "accept": {"fr": "Accepter", "en": "Accept"},
        "reject": {"fr": "Rejeter", "en": "Reject"},
        "merge": {"fr": "Fusionner", "en": "Merge"},
        "keep_apart": {"fr": "Garder séparés", "en": "Keep apart"},
        "resolve": {"fr": "Traité", "en": "Resolved"},
        "dismiss": {"fr": "Sans suite", "en": "Dismiss"},
        "queue_empty": {"fr": "Rien à revoir.", "en": "Nothing to review."},
        "edit_call": {"fr": "Ajouter ou corriger un appel", "en": "Add or edit a call"},
        "edit_hint": {
            "fr": "Les corrections de l'équipe sont gardées lors des collectes suivantes.",
            "en": "Staff edits are kept through later crawls.",
        },
        "call_id_new": {"fr": "Identifiant (vide : nouvel appel)", "en": "Id (empty: new call)"},
        "url": {"fr": "Adresse (URL)", "en": "Address (URL)"},
        "summary": {"fr": "Résumé", "en": "Summary"},
        "deadlines": {
            "fr": "Échéances (AAAA-MM-JJ, virgules)",
            "en": "Deadlines (YYYY-MM-DD, commas)",
        },
        "edit_saved": {"fr": "Appel enregistré : {id}", "en": "Call saved: {id}"},
        "edit_refused": {"fr": "Refusé : {reason}", "en": "Refused: {reason}"},
        "last_run": {"fr": "Dernière collecte", "en": "Last run"},
        "flags": {"fr": "Alertes", "en": "Flags"},
        "errors": {"fr": "Erreurs", "en": "Errors"},
        "items": {"fr": "Éléments", "en": "Items"},
        "shown_of": {"fr": "{shown} affiché(s) sur {total}", "en": "{shown} shown of {total}"},
        # Subscribers
        "email": {"fr": "Adresse e-mail", "en": "E-mail address"},
        "frequency": {"fr": "Fréquence", "en": "Frequency"},
        "weekly": {"fr": "hebdomadaire", "en": "weekly"},
        "daily": {"fr": "quotidienne", "en": "daily"},
        "add_subscriber": {"fr": "Ajouter un abonné", "en": "Add a subscriber"},
        "add": {"fr": "Ajouter", "en": "Add"},
        "pause": {"fr": "Suspendre", "en": "Pause"},
        "resume": {"fr": "Reprendre", "en": "Resume"},
        "remove": {"fr": "Supprimer", "en": "Remove"},
        "preview": {"fr": "Aperçu du prochain envoi", "en": "Preview of the next digest"},
        "no_subscribers": {"fr": "Aucun abonné.", "en": "No subscriber."},
        "pending": {"fr": "en attente", "en": "pending"},
        "active": {"fr": "actif", "en": "active"},
        "paused": {"fr": "suspendu", "en": "paused"},
        "unsubscribed": {"fr": "désabonné", "en": "unsubscribed"},
        "digest_empty": {"fr": "Ce résumé serait vide.", "en": "This digest would be empty."},
        "done": {"fr": "C'est fait.", "en": "Done."},
    }
)


MESSAGES.update(
    {
        "subscription_section": {"fr": "Abonnement", "en": "Subscription"},
        "subscription_confirm_title": {
            "fr": "Confirmer l'abonnement",
            "en": "Confirm the subscription",
        },
        "subscription_unsubscribe_title": {"fr": "Se désabonner", "en": "Unsubscribe"},
        "subscription_no_token": {
            "fr": "Ce lien est incomplet : ouvrez celui de l'e-mail.",
            "en": "This link is incomplete: open the one in the e-mail.",
        },
        "subscription_invalid": {
            "fr": "Ce lien ne fonctionne pas : {reason}.",
            "en": "This link does not work: {reason}.",
        },
        "subscription_confirm_done": {
            "fr": "C'est confirmé : {email} recevra les synthèses.",
            "en": "Confirmed: {email} will receive the digests.",
        },
        "subscription_unsubscribe_done": {
            "fr": "C'est fait : {email} ne recevra plus rien.",
            "en": "Done: nothing more will be sent to {email}.",
        },
    }
)


# Matching: the one list, and the criteria's explanations (funding/matching/rules.py).
MESSAGES.update(
    {
        "no_fit_yet": {
            "fr": "Aucun appel ne correspond encore à ce projet : voici les plus proches.",
            "en": "No call fits this project yet: here are the nearest ones.",
        },
        "further_calls": {
            "fr": "Appels plus éloignés du projet :",
            "en": "Calls further from the project:",
        },
        "to_complete": {"fr": "consortium à compléter", "en": "consortium to complete"},
        "rule_lead": {"fr": "chef de file", "en": "lead"},
        "rule_partner": {"fr": "partenaire", "en": "partner"},
        "rule_ok": {"fr": "éligible", "en": "eligible"},
        "rule_not_ok": {"fr": "non éligible", "en": "not eligible"},
        "rule_partner_line": {
            "fr": "{name} ({what}, {role}) : {verdict}",
            "en": "{name} ({what}, {role}): {verdict}",
        },
        "rule_associated_partners": {
            "fr": "Les partenaires non éligibles peuvent participer comme partenaires associés ou "
            "prestataires, pas comme co-demandeurs.",
            "en": "Partners that are not eligible can take part as associated partners or "
            "subcontractors, not as co-applicants.",
        },
        "rule_possible_lead": {
            "fr": "Chef de file possible : {names}.",
            "en": "Possible lead: {names}.",
        },
        "rule_carried_by": {
            "fr": "Le chef de file ne peut pas candidater : la demande doit être portée par {names}.",
            "en": "The lead may not apply: the application must be carried by {names}.",
        },
        "rule_deadlines_stated": {
            "fr": "Date(s) limite(s) : {dates}",
            "en": "Deadline(s): {dates}",
        },
        "rule_soon": {"fr": "bientôt", "en": "soon"},
        "rule_forthcoming": {
            "fr": "Appel à venir (ouverture {opens}), échéance le {deadline} : le temps de constituer "
            "le consortium.",
            "en": "Forthcoming call (opens {opens}), deadline {deadline}: time to build the consortium.",
        },
        "rule_next_deadline": {
            "fr": "Prochaine échéance le {deadline}.",
            "en": "Next deadline {deadline}.",
        },
        "rule_closed": {"fr": "Clôturé le {deadline}.", "en": "Closed on {deadline}."},
        "rule_too_soon": {
            "fr": "Dernière échéance le {deadline}, avant le {cutoff} demandé par le profil.",
            "en": "Last deadline {deadline}, before {cutoff} asked by the profile.",
        },
        "rule_permanent": {
            "fr": "Aide permanente : dépôt possible à tout moment.",
            "en": "Permanent scheme: applications at any time.",
        },
        "rule_no_deadline": {
            "fr": "Aucune échéance connue : à vérifier auprès du financeur.",
            "en": "No known deadline: check with the funder.",
        },
        "rule_who_unknown": {
            "fr": "L'appel ne précise pas qui peut candidater : à vérifier.",
            "en": "The call does not say who may apply: to verify.",
        },
        "rule_country_unknown": {"fr": "lieu d'établissement non précisé", "en": "seat not given"},
        "rule_seat_unknown": {
            "fr": "L'appel ne précise pas où les candidats doivent être établis : à vérifier.",
            "en": "The call does not say where applicants must be established: to verify.",
        },
        "rule_scope_funder": {
            "fr": "Appel de {funder}, pour son territoire ({places})",
            "en": "A call of {funder}, for its territory ({places})",
        },
        "rule_scope_stated": {"fr": "L'appel vise : {places}", "en": "The call covers: {places}"},
        "rule_territory_unknown": {
            "fr": "L'appel ne dit pas sur quel territoire il porte : à vérifier.",
            "en": "The call does not say which territory it covers: to verify.",
        },
        "rule_project_from_seats": {
            "fr": "{places}, d'après le siège des partenaires",
            "en": "{places}, from where the partners are established",
        },
        "rule_territory_ok": {
            "fr": "{scope} : votre projet ({project}) en fait partie.",
            "en": "{scope}: your project ({project}) lies within it.",
        },
        "rule_territory_seat_ok": {
            "fr": "{scope} : {names} y est établi et peut porter la demande.",
            "en": "{scope}: {names} is established there and can carry the application.",
        },
        "rule_territory_out": {
            "fr": "{scope} ; votre projet ({project}) et vos partenaires ({seats}) n'en font pas partie.",
            "en": "{scope}; your project ({project}) and your partners ({seats}) lie outside it.",
        },
        "rule_territory_out_project": {
            "fr": "{scope} ; votre projet se déroule ailleurs ({project}).",
            "en": "{scope}; your project takes place elsewhere ({project}).",
        },
        "rule_territory_partial": {
            "fr": "{scope} : votre projet ({project}) n'y est peut-être qu'en partie ; précisez la "
            "commune ou le département : à vérifier.",
            "en": "{scope}: your project ({project}) may lie only partly within it; give the town or "
            "département: to verify.",
        },
        "rule_project_place_unknown": {
            "fr": "{scope} ; le profil ne dit pas où se déroule le projet : à vérifier.",
            "en": "{scope}; the profile does not say where the project takes place: to verify.",
        },
        "rule_seat_carrier": {
            "fr": "{scope} : la demande doit être portée par une structure établie sur ce territoire, "
            "ce que peut faire {names}.",
            "en": "{scope}: the application must be carried by an organisation established there, "
            "which {names} can do.",
        },
        "rule_seat_none": {
            "fr": "{scope} : la demande doit être portée par une structure établie sur ce territoire, "
            "et aucun partenaire ne l'est.",
            "en": "{scope}: the application must be carried by an organisation established there, "
            "and no partner is.",
        },
        "rule_side": {"fr": "{country} : {names}", "en": "{country}: {names}"},
        "rule_cross_border_ok": {
            "fr": "{scope} : un porteur de chaque côté de la frontière ({found}).",
            "en": "{scope}: a partner on each side of the border ({found}).",
        },
        "rule_cross_border_missing": {
            "fr": "{scope} : il faut un porteur de chaque côté de la frontière ({found}) ; il manque "
            "un partenaire établi dans la zone, côté {missing}.",
            "en": "{scope}: a partner is needed on each side of the border ({found}); one established "
            "in the area is missing on the {missing} side.",
        },
        "rule_established_in": {"fr": " établis : {place}", "en": " established in: {place}"},
        "rule_distinct": {"fr": ", de pays différents", "en": ", from different countries"},
        "rule_requirement_met": {
            "fr": "Au moins {need} partenaire(s){where}{distinct} : rempli ({names}).",
            "en": "At least {need} partner(s){where}{distinct}: met ({names}).",
        },
        "rule_requirement_missing": {
            "fr": "Au moins {need} partenaire(s){where}{distinct} : il en manque {missing} "
            "(comptent : {names}).",
            "en": "At least {need} partner(s){where}{distinct}: {missing} missing (counted: {names}).",
        },
        "rule_minimum_partners": {
            "fr": "L'appel demande au moins {required} partenaires ; le consortium en compte {count}.",
            "en": "The call asks for at least {required} partners; the consortium has {count}.",
        },
        "rule_several_countries_ok": {
            "fr": "L'appel demande des partenaires de plusieurs pays ; le consortium en réunit {countries}.",
            "en": "The call asks for partners from several countries; the consortium spans {countries}.",
        },
        "rule_several_countries_missing": {
            "fr": "L'appel demande des partenaires de plusieurs pays ; le consortium est d'un seul pays.",
            "en": "The call asks for partners from several countries; the consortium is from one country.",
        },
        "rule_partnership_required": {
            "fr": "Partenariat exigé (au moins {need} partenaires) ; le consortium en compte {count}.",
            "en": "Partnership required (at least {need} partners); the consortium has {count}.",
        },
        "rule_alone": {
            "fr": "Pas de partenariat exigé : le chef de file peut déposer seul.",
            "en": "No partnership required: the lead can apply alone.",
        },
        "rule_partnership_hinted": {
            "fr": "Le texte parle de partenariat sans en fixer les règles : à vérifier.",
            "en": "The text mentions partners without stating the rules: to verify.",
        },
        "rule_no_partnership": {
            "fr": "Aucune exigence de consortium indiquée.",
            "en": "No consortium requirement stated.",
        },
        "rule_amount_unknown": {
            "fr": "Montant par projet non indiqué (vous cherchez {wanted}).",
            "en": "Amount per project not stated (you seek {wanted}).",
        },
        "rule_converted": {
            "fr": " (converti approximativement en euros)",
            "en": " (roughly converted to euros)",
        },
        "rule_amount_too_small": {
            "fr": "L'appel finance au plus {high}{note}, moins que les {min} recherchés au minimum.",
            "en": "The call funds at most {high}{note}, less than the {min} you need at least.",
        },
        "rule_amount_too_big": {
            "fr": "L'appel finance des projets d'au moins {low}{note}, bien au-delà des {max} recherchés au plus.",
            "en": "The call funds projects of at least {low}{note}, far beyond the {max} you seek at most.",
        },
        "rule_amount_floor": {
            "fr": "L'appel vise des projets d'au moins {low}{note}, plus que les {max} recherchés au plus : à vérifier.",
            "en": "The call targets projects of at least {low}{note}, more than the {max} you seek at most: to verify.",
        },
        "rule_amount_ok": {
            "fr": "Montant de l'appel ({stated}){note} compatible avec votre besoin ({wanted}).",
            "en": "The call's amount ({stated}){note} fits your need ({wanted}).",
        },
        "rule_rate_stated": {
            "fr": "Taux maximal de financement : {rate}",
            "en": "Maximum funding rate: {rate}",
        },
        "rule_rate_unknown": {
            "fr": "Taux maximal de financement non indiqué ; vous pouvez apporter {available} du budget.",
            "en": "Maximum funding rate not stated; you can bring {available} of the budget.",
        },
        "rule_cofinancing_budget": {
            "fr": "Pour un budget de {budget}, l'appel finance au plus {funded} ({rate}) : les "
            "partenaires doivent apporter {must}, ils peuvent apporter {can}",
            "en": "For a budget of {budget}, the call funds at most {funded} ({rate}): the partners "
            "must bring {must}, they can bring {can}",
        },
        "rule_cofinancing_share": {
            "fr": "L'appel finance au plus {rate} : les partenaires doivent apporter {must} du budget, "
            "ils peuvent en apporter {can}",
            "en": "The call funds at most {rate}: the partners must bring {must} of the budget, they "
            "can bring {can}",
        },
        "rule_missing": {"fr": " ; il manque {short}.", "en": "; {short} missing."},
        "rule_instrument_unknown": {
            "fr": "Type d'aide non indiqué (vous cherchez : {names}).",
            "en": "Kind of support not stated (you seek: {names}).",
        },
        "rule_instrument_ok": {
            "fr": "Type d'aide recherché : {shown}.",
            "en": "Kind of support wanted: {shown}.",
        },
        "rule_instrument_other": {
            "fr": "L'appel propose : {shown} ; vous cherchez : {names}.",
            "en": "The call offers: {shown}; you seek: {names}.",
        },
    }
)


# Links of the e-mails: opening one shows a button, pressing it acts (mail scanners open links).
MESSAGES.update(
    {
        "subscription_confirm_ask": {
            "fr": "Recevoir les synthèses d'appels à {email} ?",
            "en": "Receive the digests of calls at {email}?",
        },
        "subscription_confirm_button": {
            "fr": "Confirmer l'abonnement",
            "en": "Confirm the subscription",
        },
        "subscription_unsubscribe_ask": {
            "fr": "Ne plus rien envoyer à {email} ?",
            "en": "Send nothing more to {email}?",
        },
        "subscription_unsubscribe_button": {"fr": "Me désabonner", "en": "Unsubscribe me"},
    }
)


# Accounts: project leads sign in by an e-mailed link; partnerships belong to their members.
MESSAGES.update(
    {
        "lead_sign_in": {"fr": "Mon compte", "en": "My account"},
        "sign_in_by_email": {
            "fr": "Indiquez votre adresse : nous vous envoyons un lien de connexion (pas de mot de passe à retenir). "
            "Vos partenariats ne sont visibles que par vous, les autres membres et l'équipe.",
            "en": "Give your address: we send you a sign-in link (no password to remember). Your "
            "partnerships are seen only by you, their other members and the staff.",
        },
        "email_placeholder": {"fr": "prenom.nom@exemple.org", "en": "first.last@example.org"},
        "send_sign_in_link": {
            "fr": "Recevoir un lien de connexion",
            "en": "Send me a sign-in link",
        },
        "sign_in_link_sent": {
            "fr": "Un lien de connexion a été envoyé à {email}. Ouvrez-le dans ce navigateur.",
            "en": "A sign-in link was sent to {email}. Open it in this browser.",
        },
        "sign_in_link_too_many": {
            "fr": "Plusieurs liens ont déjà été envoyés à cette adresse : réessayez dans quelques minutes.",
            "en": "Several links were sent to this address already: try again in a few minutes.",
        },
        "sign_in_link_failed": {
            "fr": "Le courriel n'a pas pu partir ; réessayez plus tard ou prévenez l'équipe.",
            "en": "The e-mail could not be sent; try again later or tell the staff.",
        },
        "email_invalid": {
            "fr": "Cette adresse électronique n'est pas valide.",
            "en": "This e-mail address is not valid.",
        },
        "sign_in_link_ask": {
            "fr": "Vous connecter en tant que {email} ?",
            "en": "Sign in as {email}?",
        },
        "sign_in_link_button": {"fr": "Me connecter", "en": "Sign me in"},
        "sign_in_link_invalid": {
            "fr": "Ce lien de connexion n'est pas valide.",
            "en": "This sign-in link is not valid.",
        },
        "sign_in_link_expired": {
            "fr": "Ce lien de connexion a expiré : demandez-en un nouveau.",
            "en": "This sign-in link has expired: ask for a new one.",
        },
        "try_without_account": {
            "fr": "Sans compte, vous pouvez essayer un profil (il n'est pas enregistré). "
            "Connectez-vous (« Mon compte ») pour enregistrer vos partenariats, masquer et suivre des appels.",
            "en": "Without an account you can try a profile (it is not saved). Sign in (“My account”) "
            "to save your partnerships, hide and follow calls.",
        },
        "sign_in_to_save": {
            "fr": "Connectez-vous (« Mon compte ») pour retrouver vos partenariats et vos appels suivis.",
            "en": "Sign in (“My account”) to find your partnerships and watched calls.",
        },
        "name_taken": {
            "fr": "Vous avez déjà un autre partenariat nommé « {name} » : choisissez un autre nom.",
            "en": "You already have another partnership named “{name}”: choose another name.",
        },
        "confirmation_sent": {
            "fr": "{email} recevra les synthèses après avoir confirmé : une demande de confirmation lui a été envoyée.",
            "en": "{email} gets digests once confirmed: a confirmation request was sent.",
        },
        "confirmation_not_sent": {
            "fr": "{email} est en attente de confirmation, mais le courriel de confirmation n'a pas pu partir (déjà envoyé aujourd'hui, ou serveur de courriel injoignable).",
            "en": "{email} awaits confirmation, but the confirmation e-mail could not go (already sent today, or mail server unreachable).",
        },
        "subscriber_updated": {
            "fr": "Abonnement de {email} mis à jour.",
            "en": "Subscription of {email} updated.",
        },
        "account_section": {"fr": "Compte", "en": "Account"},
    }
)


# The watchlist's CSV export: column headers in the reader's language.
MESSAGES.update(
    {
        "csv_id": {"fr": "Identifiant", "en": "Id"},
        "csv_title": {"fr": "Titre", "en": "Title"},
        "csv_funder": {"fr": "Financeur", "en": "Funder"},
        "csv_stage": {"fr": "Étape", "en": "Stage"},
        "csv_next_deadline": {"fr": "Prochaine échéance", "en": "Next deadline"},
        "csv_deadlines": {"fr": "Échéances", "en": "Deadlines"},
        "csv_amount_max": {"fr": "Montant maximum", "en": "Maximum amount"},
        "csv_currency": {"fr": "Devise", "en": "Currency"},
        "csv_status": {"fr": "Statut", "en": "Status"},
        "csv_url": {"fr": "Lien", "en": "Link"},
        "csv_notes": {"fr": "Notes", "en": "Notes"},
    }
)


# Vocabulary codes as words: never show `water_sanitation`, `applicant_type` or `eu_sedia`.
VOCABULARY: dict[str, dict[str, tuple[str, str]]] = {
    "theme": {
        "agriculture": ("Agriculture", "Agriculture"),
        "biodiversity": ("Biodiversité", "Biodiversity"),
        "children_youth": ("Enfance et jeunesse", "Children and youth"),
        "circular_economy": ("Économie circulaire", "Circular economy"),
        "climate_adaptation": ("Adaptation au climat", "Climate adaptation"),
        "climate_mitigation": ("Atténuation du climat", "Climate mitigation"),
        "culture_heritage": ("Culture et patrimoine", "Culture and heritage"),
        "digital_inclusion": ("Inclusion numérique", "Digital inclusion"),
        "disability_ageing": ("Handicap et vieillissement", "Disability and ageing"),
        "education": ("Éducation", "Education"),
        "employment_training": ("Emploi et formation", "Employment and training"),
        "energy": ("Énergie", "Energy"),
        "entrepreneurship": ("Entrepreneuriat", "Entrepreneurship"),
        "forest": ("Forêt", "Forest"),
        "gender": ("Égalité femmes-hommes", "Gender equality"),
        "health": ("Santé", "Health"),
        "housing": ("Logement", "Housing"),
        "human_rights_democracy": ("Droits humains et démocratie", "Human rights and democracy"),
        "humanitarian": ("Humanitaire", "Humanitarian"),
        "international_solidarity": ("Solidarité internationale", "International solidarity"),
        "land_soil": ("Terres et sols", "Land and soil"),
        "migration_refugees": ("Migrations et réfugiés", "Migration and refugees"),
        "mobility": ("Mobilité", "Mobility"),
        "nutrition_food": ("Alimentation et nutrition", "Food and nutrition"),
        "ocean_coastal": ("Océans et littoral", "Oceans and coasts"),
        "peace": ("Paix", "Peace"),
        "pollution": ("Pollution", "Pollution"),
        "poverty_inclusion": ("Pauvreté et inclusion", "Poverty and inclusion"),
        "research_innovation": ("Recherche et innovation", "Research and innovation"),
        "responsible_consumption": ("Consommation responsable", "Responsible consumption"),
        "social_economy": ("Économie sociale et solidaire", "Social economy"),
        "sport": ("Sport", "Sport"),
        "tourism": ("Tourisme", "Tourism"),
        "urban_rural_development": ("Développement urbain et rural", "Urban and rural development"),
        "water_sanitation": ("Eau et assainissement", "Water and sanitation"),
    },
    "stage": {
        "idea": ("Idée", "Idea"),
        "design": ("Conception", "Design"),
        "pilot": ("Pilote", "Pilot"),
        "scale_up": ("Changement d'échelle", "Scale-up"),
    },
    "role": {"lead": ("Chef de file", "Lead"), "partner": ("Partenaire", "Partner")},
    "criterion": {
        "amount": ("Montant", "Amount"),
        "applicant_country": ("Pays des partenaires", "Partners' countries"),
        "applicant_type": ("Type de structure", "Type of organisation"),
        "cofinancing": ("Cofinancement", "Co-financing"),
        "instrument": ("Type d'aide", "Kind of support"),
        "partnership": ("Partenariat", "Partnership"),
        "territory": ("Territoire", "Territory"),
        "timing": ("Calendrier", "Timing"),
        "theme": ("Thématique", "Theme"),
    },
    "source": {
        "eu_sedia": (
            "Commission européenne (Funding & Tenders)",
            "European Commission (Funding & Tenders)",
        ),
        "aides_territoires": ("Aides-territoires", "Aides-territoires"),
        "grants_gov": ("Grants.gov (États-Unis)", "Grants.gov (United States)"),
        "mission_transition": (
            "Mission Transition écologique (ADEME)",
            "Mission Transition écologique (ADEME)",
        ),
        "ademe_agir": ("ADEME Agir", "ADEME Agir"),
        "iledefrance": ("Région Île-de-France", "Île-de-France Region"),
        "drome": ("Département de la Drôme", "Drôme department"),
        "manche": ("Département de la Manche", "Manche department"),
        "culture": ("Ministère de la Culture", "French Ministry of Culture"),
        "welcome_europe": ("Welcome Europe", "Welcome Europe"),
        "afd": ("AFD", "AFD"),
        "fondation_de_france": ("Fondation de France", "Fondation de France"),
        "bpifrance": ("Bpifrance", "Bpifrance"),
        "fundsforngos": ("fundsforNGOs", "fundsforNGOs"),
        "uk_find_a_grant": ("Find a grant (Royaume-Uni)", "Find a grant (UK)"),
        "manual": ("Saisie par l'équipe", "Added by staff"),
    },
    "language": {"fr": ("français", "French"), "en": ("anglais", "English")},
    # Form choices beside labels.csv's canonical values.
    "applicant_type": {"association": ("Association", "Association (non-profit)")},
}
# Kinds whose words live in funding/vocabularies/labels.csv (staff edit them without code).
CSV_KINDS = ("applicant_type", "instrument", "recurrence", "status")


def word(kind: str, code: str | None, lang: str = "fr") -> str:
    """A vocabulary code as a word in the reader's language; a value that is no code as given."""
    if code is None:
        return ""
    if kind in CSV_KINDS:
        from funding.normalize.vocabularies import label

        named = label(kind, code, lang)
        if named != code:
            return named
    words = VOCABULARY.get(kind, {}).get(code)
    return code if words is None else words[0 if lang == "fr" else 1]


MESSAGES.update(
    {
        "choose": {"fr": "Choisir…", "en": "Choose…"},
        "choose_or_type": {"fr": "Choisir ou saisir…", "en": "Choose or type…"},
        "load_profile_help": {
            "fr": "Un fichier JSON au format des profils (docs/matching.md), par exemple un profil téléchargé ici.",
            "en": "A JSON file in the profile format (docs/matching.md), e.g. a profile downloaded here.",
        },
    }
)


MESSAGES.update(
    {
        "open_call": {"fr": "Ouvrir", "en": "Open"},
        "find_call": {
            "fr": "Chercher un appel (mots du titre, du financeur…)",
            "en": "Find a call (words of its title, funder…)",
        },
        "data_freshness": {
            "fr": "Données du {day} : {total} appels, dont {closed} clos",
            "en": "Data as of {day}: {total} calls, {closed} closed",
        },
    }
)


def format_count(n: int, lang: str = "fr") -> str:
    """12 345 in French (narrow no-break space), 12,345 in English."""
    return f"{n:,}".replace(",", "\u202f" if lang == "fr" else ",")


MESSAGES.update(
    {
        "add_partner": {"fr": "Ajouter un partenaire", "en": "Add a partner"},
        "following": {"fr": "Suivi ✓", "en": "Followed ✓"},
        "followed_toast": {
            "fr": "Appel suivi : il est dans « Appels suivis ».",
            "en": "Call followed: it is in the watchlist.",
        },
    }
)


# Why a file is not JSON, as Python's json module says it, in words.
JSON_REASONS = {
    "Expecting ',' delimiter": ("une virgule manque", "a comma is missing"),
    "Expecting ':' delimiter": ("deux-points « : » attendus", "a colon ':' is expected"),
    "Expecting value": ("une valeur est attendue", "a value is expected"),
    "Expecting property name enclosed in double quotes": (
        "un nom de champ entre guillemets droits doubles est attendu (une virgule en trop ?)",
        "a field name in double quotes is expected (a comma too many?)",
    ),
    "Extra data": ("du texte suit la fin du profil", "text follows the end of the profile"),
    "Unterminated string starting at": (
        "un texte entre guillemets n'est pas refermé",
        "a quoted text is not closed",
    ),
    "Invalid control character at": (
        "un caractère de contrôle (retour à la ligne ?) dans un texte",
        "a control character (line break?) inside a text",
    ),
    "Invalid \\escape": ("une barre oblique inverse « \\ » invalide", "an invalid backslash '\\'"),
}
MESSAGES["json_error"] = {
    "fr": "le fichier n'est pas du JSON valide, ligne {line}, colonne {column} : {why}.",
    "en": "the file is not valid JSON, line {line}, column {column}: {why}.",
}


def json_error_text(error, lang: str = "fr") -> str:
    """Where and why a file is not JSON (a json.JSONDecodeError), in the reader's language."""
    why = JSON_REASONS.get(error.msg)
    reason = error.msg if why is None else why[0 if lang == "fr" else 1]
    return t("json_error", lang, line=error.lineno, column=error.colno, why=reason)


# Source health: columns and run statuses.
MESSAGES.update(
    {
        "health_source": {"fr": "Source", "en": "Source"},
        "health_last_run": {"fr": "Dernière collecte", "en": "Last run"},
        "health_status": {"fr": "État", "en": "Status"},
        "health_items": {"fr": "Appels lus", "en": "Calls read"},
        "health_new": {"fr": "Nouveaux", "en": "New"},
        "health_updated": {"fr": "Modifiés", "en": "Updated"},
        "health_rejected": {"fr": "Rejetés", "en": "Rejected"},
        "health_errors": {"fr": "Erreurs", "en": "Errors"},
        "health_duration_s": {"fr": "Durée (s)", "en": "Duration (s)"},
        "health_fill_rates": {"fr": "Champs remplis", "en": "Fields filled"},
        "health_flags": {"fr": "Alertes", "en": "Flags"},
        "run_ok": {"fr": "réussie", "en": "ok"},
        "run_failed": {"fr": "échouée", "en": "failed"},
        "run_running": {"fr": "en cours", "en": "running"},
        "run_never_run": {"fr": "jamais lancée", "en": "never run"},
    }
)


# The review queue: filters, pages, bulk decisions.
MESSAGES.update(
    {
        "queue_field": {"fr": "Champ", "en": "Field"},
        "page": {"fr": "Page", "en": "Page"},
        "queue_shown": {"fr": "{shown} affichée(s) sur {total}", "en": "{shown} shown of {total}"},
        "pick": {"fr": "Sélectionner", "en": "Select"},
        "accept_chosen": {"fr": "Accepter la sélection", "en": "Accept the selection"},
        "reject_chosen": {"fr": "Rejeter la sélection", "en": "Reject the selection"},
    }
)
MONTHS = {
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}

# Past awards, potential partners and the next edition of a call (funding/awards/).
MESSAGES.update(
    {
        "and": {"fr": "et", "en": "and"},
        "next_edition": {
            "fr": "Prévision : prochaine édition attendue vers {month} {year}, d'après {years}",
            "en": "Forecast: next edition expected around {month} {year}, based on {years}",
        },
        "funded_before": {"fr": "Déjà financé par cet appel", "en": "Funded before by this call"},
        "funded_none": {
            "fr": "Aucun projet financé connu pour ce sujet ni ses éditions précédentes.",
            "en": "No known funded project for this topic or its earlier editions.",
        },
        "funded_counts": {
            "fr": "{projects} projet(s) financé(s) sur {editions} édition(s) : {topics}",
            "en": "{projects} funded project(s) over {editions} edition(s): {topics}",
        },
        "typical_award": {
            "fr": "Contribution UE typique (médiane) : {amount} · consortium typique : {partners} membres",
            "en": "Typical EU contribution (median): {amount} · typical consortium: {partners} members",
        },
        "typical_countries": {
            "fr": "Pays les plus présents : {countries}",
            "en": "Most present countries: {countries}",
        },
        "typical_shares": {
            "fr": "Membres : {company} entreprises (dont {sme} PME), {research} recherche, "
            "{higher_education} enseignement supérieur, {public} organismes publics, "
            "{other} autres (associations, ONG…)",
            "en": "Members: {company} companies ({sme} SMEs), {research} research, "
            "{higher_education} higher education, {public} public bodies, "
            "{other} others (associations, NGOs…)",
        },
        "acronym": {"fr": "Acronyme", "en": "Acronym"},
        "coordinator": {"fr": "Coordinateur", "en": "Coordinator"},
        "country": {"fr": "Pays", "en": "Country"},
        "start": {"fr": "Début", "en": "Start"},
        "eu_contribution": {"fr": "Contribution UE", "en": "EU contribution"},
        "members": {"fr": "Membres", "en": "Members"},
        "potential_partners": {"fr": "Partenaires potentiels", "en": "Potential partners"},
        "organisation": {"fr": "Organisation", "en": "Organisation"},
        "org_type": {"fr": "Type", "en": "Type"},
        "experience": {"fr": "Expérience", "en": "Experience"},
        "why": {"fr": "Pourquoi", "en": "Why"},
        "fills": {"fr": "Comblerait", "en": "Would fill"},
        "download_csv": {"fr": "Télécharger (CSV)", "en": "Download (CSV)"},
        "type_PRC": {"fr": "entreprise", "en": "company"},
        "type_HES": {"fr": "enseignement supérieur", "en": "higher education"},
        "type_REC": {"fr": "organisme de recherche", "en": "research body"},
        "type_PUB": {"fr": "organisme public", "en": "public body"},
        "type_OTH": {"fr": "autre (association, ONG…)", "en": "other (association, NGO…)"},
        "role_coordinator": {"fr": "coordinateur", "en": "coordinator"},
        "role_participant": {"fr": "participant", "en": "participant"},
        "role_associatedPartner": {"fr": "partenaire associé", "en": "associated partner"},
        "role_thirdParty": {"fr": "tiers lié", "en": "third party"},
        "projects_as": {
            "fr": "{n} projet(s), dont {lead} coordonné(s)",
            "en": "{n} project(s), {lead} as coordinator",
        },
        "ecosystem": {"fr": "Écosystème local (équipe)", "en": "Local ecosystem (staff)"},
        "ecosystem_intro": {
            "fr": "Organisations du Grand Genève (CH013) et de Haute-Savoie (FRK28) dans des projets "
            "financés, par thème.",
            "en": "Organisations of Greater Geneva (CH013) and Haute-Savoie (FRK28) in funded "
            "projects, by theme.",
        },
        "theme": {"fr": "Thème", "en": "Theme"},
        "project": {"fr": "Projet", "en": "Project"},
        "role": {"fr": "Rôle", "en": "Role"},
        "region": {"fr": "Région", "en": "Region"},
        "no_partners": {
            "fr": "Aucun partenaire potentiel trouvé dans les projets financés connus.",
            "en": "No potential partner found in the known funded projects.",
        },
        "fills_requirement": {"fr": "comblerait : « {words} »", "en": "would fill: “{words}”"},
    }
)


# A profile's schema errors (funding.matching.ProfileError): the place, numbered as the README
# numbers it (`partners[1].type` is the second partner), and the reason in the reader's language.
_PROBLEM_REASONS: list[tuple[re.Pattern[str], str, str]] = [
    (re.compile(p), fr, en)
    for p, fr, en in (
        (r"^is required$", "obligatoire", "is required"),
        (r"^is not an object$", "n'est pas un objet { … }", "is not an object { … }"),
        (
            r"^(?P<v>.+) is not a list of words$",
            "{v} n'est pas une liste de mots",
            "{v} is not a list of words",
        ),
        (r"^(?P<v>.+) is not a list$", "{v} n'est pas une liste [ … ]", "{v} is not a list [ … ]"),
        (r"^(?P<v>.+) is not a text$", "{v} n'est pas un texte", "{v} is not a text"),
        (r"^(?P<v>.+) is not an amount$", "{v} n'est pas un montant", "{v} is not an amount"),
        (
            r"^(?P<v>.+) is not a whole number$",
            "{v} n'est pas un nombre entier",
            "{v} is not a whole number",
        ),
        (
            r"^(?P<v>.+) is not a number of employees$",
            "{v} n'est pas un nombre de salariés",
            "{v} is not a number of employees",
        ),
        (r"^(?P<v>.+) is not a number$", "{v} n'est pas un nombre", "{v} is not a number"),
        (
            r"^(?P<v>.+) is not a country .*$",
            "{v} n'est pas un pays (code ISO 3166-1 alpha-2 comme FR, ou un nom)",
            "{v} is not a country (ISO 3166-1 alpha-2 such as FR, or a name)",
        ),
        (
            r"^(?P<v>.+) is not a French département .*$",
            "{v} n'est pas un département français (un nom ou un numéro comme 74)",
            "{v} is not a French département (a name or a number such as 74)",
        ),
        (
            r"^(?P<v>.+) is not a commune .*$",
            "{v} n'est pas une commune (un nom ou un code INSEE)",
            "{v} is not a commune (a name or an INSEE code)",
        ),
        (
            r"^(?P<v>.+) is not a French postal code .*$",
            "{v} n'est pas un code postal français (cinq chiffres)",
            "{v} is not a French postal code (five digits)",
        ),
        (
            r"^(?P<v>.+) is not a Swiss canton .*$",
            "{v} n'est pas un canton suisse (un nom ou un code comme GE)",
            "{v} is not a Swiss canton (a name or a code such as GE)",
        ),
        (
            r"^(?P<v>.+) is not a role \((?P<o>.*)\)$",
            "{v} n'est pas un rôle ({o})",
            "{v} is not a role ({o})",
        ),
        (
            r"^(?P<v>.+) is not a stage \((?P<o>.*)\)$",
            "{v} n'est pas un stade du projet ({o})",
            "{v} is not a project stage ({o})",
        ),
        (
            r"^needs at least one partner$",
            "il faut au moins un partenaire",
            "needs at least one partner",
        ),
        (
            r"^only one partner can be the lead$",
            "un seul partenaire peut être chef de file",
            "only one partner can be the lead",
        ),
        (
            r"^expected an object with name and partners, got (?P<v>\w+)$",
            "le profil doit être un objet avec name et partners (reçu : {v})",
            "the profile must be an object with name and partners (got {v})",
        ),
        (
            r"^the file is not UTF-8 \(byte (?P<b>0x[0-9A-F]+) at position (?P<n>\d+)\): .*$",
            "le fichier n'est pas en UTF-8 (octet {b} en position {n}) : enregistrez-le en UTF-8",
            "the file is not UTF-8 (byte {b} at position {n}): save it as UTF-8",
        ),
        (
            r"^the file is nested more than (?P<n>\d+) levels deep$",
            "le fichier imbrique plus de {n} niveaux",
            "the file is nested more than {n} levels deep",
        ),
    )
]
_PLACE = re.compile(r"^(?P<list>\w+)\[(?P<i>\d+)\](?:\.(?P<rest>.+))?$")


def problem_place(where: str, lang: str = "fr") -> str:
    """'partners[1].type' -> « partenaire 2 (partners[1]), champ type »; 'name' -> « champ name »."""
    fr = lang == "fr"
    found = _PLACE.match(where)
    if found is None:
        return ("champ " if fr else "field ") + where
    number, head = int(found["i"]) + 1, f"{found['list']}[{found['i']}]"
    if found["list"] == "partners":
        place = f"{'partenaire' if fr else 'partner'} {number} ({head})"
    else:
        place = (
            f"{'champ' if fr else 'field'} {found['list']}, {'valeur' if fr else 'value'} {number}"
        )
    return place + (f", {'champ' if fr else 'field'} {found['rest']}" if found["rest"] else "")


def problem_text(where: str, why: str, lang: str = "fr") -> str:
    """One schema error in the reader's language, naming its place as the README does:
    « partenaire 2 (partners[1]), champ type : obligatoire »."""
    lang = "fr" if lang == "fr" else "en"
    for pattern, fr, en in _PROBLEM_REASONS:
        found = pattern.match(why)
        if found:
            why = (fr if lang == "fr" else en).format(**found.groupdict())
            break
    if not where:
        return why
    return problem_place(where, lang) + (" : " if lang == "fr" else ": ") + why


# Words the domain writes into e-mails, exports and command output (not the pages).
MESSAGES.update(
    {
        "same_call": {"fr": " (même appel)", "en": " (same call)"},
        "no_call_matches": {"fr": "Aucun appel ne correspond.", "en": "No call matches."},
        "no_organisation": {"fr": "Aucune organisation trouvée.", "en": "No organisation found."},
        "ical_deadline": {"fr": "Échéance", "en": "Deadline"},
        "note_partnership": {"fr": "partenariat valorisé", "en": "partnership valued"},
        "note_local": {"fr": "appel local", "en": "local call"},
        "not_stated": {"fr": "non précisé", "en": "not stated"},
        "yes": {"fr": "oui", "en": "yes"},
        "no": {"fr": "non", "en": "no"},
        "changed_on": {"fr": "le", "en": "on"},
        "subject_calls": {"fr": "{count} appel{s} pour {name}", "en": "{count} call{s} for {name}"},
        "subject_reminder": {"fr": "Rappel d'échéance : {text}", "en": "Deadline reminder: {text}"},
        "subject_next_deadline": {
            "fr": " — prochaine échéance le {day}",
            "en": " — next deadline {day}",
        },
        "subject_confirm": {
            "fr": "Confirmez votre abonnement aux appels pour {name}",
            "en": "Confirm your subscription to calls for {name}",
        },
        "subject_sign_in": {
            "fr": "Votre lien de connexion à Funding Radar",
            "en": "Your Funding Radar sign-in link",
        },
    }
)
