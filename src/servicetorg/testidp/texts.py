"""The test identity provider's page texts: bokmål (default), nynorsk and English.

A Flask tool outside Django, so three dicts instead of gettext catalogues.
"""

from __future__ import annotations

NB = {
    "title": "TestID – testinnlogging (ikke ekte ID-porten)",
    "banner": "Testtjeneste for utvikling. Bruk bare syntetiske testnummer, aldri et ekte fødselsnummer.",
    "heading": "Logg inn med testbruker",
    "client": "Tjenesten som ber om innlogging:",
    "redirect": "Etter innloggingen sendes du tilbake til",
    "pid_label": "Fødselsnummer (syntetisk testnummer)",
    "pid_hint": "11 siffer. Syntetiske testnummer har 80 lagt til måneden (3. og 4. siffer er 81–92), "
    "for eksempel 14838540024. Ekte fødselsnummer avvises.",
    "level_legend": "Sikkerhetsnivå",
    "level_substantial": "Betydelig (substantial)",
    "level_high": "Høyt (high)",
    "submit": "Logg inn",
    "cancel": "Avbryt",
    "demo_heading": "Demopersoner",
    "demo_intro": "Logg inn som en av disse på sikkerhetsnivået du har valgt over.",
    "demo_button": "Logg inn som",
    "error_summary": "Innloggingen ble ikke fullført.",
    "error_format": "Skriv fødselsnummeret med 11 siffer.",
    "error_checksum": "Kontrollsifrene stemmer ikke. Sjekk at du har skrevet nummeret riktig.",
    "error_not_synthetic": "Dette ser ut som et ekte fødselsnummer. TestID godtar bare syntetiske "
    "testnummer (måned + 80).",
    "error_date": "Nummeret inneholder ingen gyldig fødselsdato.",
    "end_heading": "Logg ut",
    "end_text": "Vil du logge ut av TestID?",
    "end_button": "Logg ut",
    "end_redirect": "Etterpå sendes du tilbake til",
    "ended": "Du er logget ut av TestID.",
    "fc_heading": "Innlogginger i denne TestID-prosessen",
    "fc_intro": "Her kan du avslutte en økt slik ID-porten gjør når brukeren logger ut fra en annen "
    "tjeneste: TestID ber tjenesten logge brukeren ut (front-channel logout).",
    "fc_none": "Ingen innlogginger ennå.",
    "fc_time": "Tidspunkt",
    "fc_pid": "Fødselsnummer",
    "fc_level": "Sikkerhetsnivå",
    "fc_sid": "Økt (sid)",
    "fc_client": "Tjeneste (client_id)",
    "fc_ended": "Avsluttet",
    "fc_button": "Logg ut fra alle tjenester",
    "fc_done_heading": "Økten er avsluttet",
    "fc_done_text": "Økten er avsluttet i alle tjenester.",
    "fc_no_uri": "Ingen adresse for front-channel logout er satt, så ingen tjeneste ble varslet. "
    "Start TestID med --frontchannel-logout-uri.",
    "fc_unknown": "Fant ingen innlogging med denne økten.",
    "fc_back": "Tilbake til innloggingene",
    "error_heading": "Feil i forespørselen",
    "index_heading": "TestID",
    "index_intro": "En lokal testutgave av ID-porten for utvikling og tester. Den er ikke ID-porten.",
    "index_discovery": "OpenID Connect-oppsett (discovery)",
}

NN = {
    "title": "TestID – testinnlogging (ikkje ekte ID-porten)",
    "banner": "Testteneste for utvikling. Bruk berre syntetiske testnummer, aldri eit ekte fødselsnummer.",
    "heading": "Logg inn med testbrukar",
    "client": "Tenesta som ber om innlogging:",
    "redirect": "Etter innlogginga blir du send tilbake til",
    "pid_label": "Fødselsnummer (syntetisk testnummer)",
    "pid_hint": "11 siffer. Syntetiske testnummer har 80 lagt til månaden (3. og 4. siffer er 81–92), "
    "til dømes 14838540024. Ekte fødselsnummer blir avviste.",
    "level_legend": "Tryggleiksnivå",
    "level_substantial": "Betydeleg (substantial)",
    "level_high": "Høgt (high)",
    "submit": "Logg inn",
    "cancel": "Avbryt",
    "demo_heading": "Demopersonar",
    "demo_intro": "Logg inn som ein av desse på tryggleiksnivået du har valt over.",
    "demo_button": "Logg inn som",
    "error_summary": "Innlogginga vart ikkje fullført.",
    "error_format": "Skriv fødselsnummeret med 11 siffer.",
    "error_checksum": "Kontrollsifra stemmer ikkje. Sjekk at du har skrive nummeret rett.",
    "error_not_synthetic": "Dette ser ut som eit ekte fødselsnummer. TestID godtek berre syntetiske "
    "testnummer (månad + 80).",
    "error_date": "Nummeret inneheld ingen gyldig fødselsdato.",
    "end_heading": "Logg ut",
    "end_text": "Vil du logge ut av TestID?",
    "end_button": "Logg ut",
    "end_redirect": "Etterpå blir du send tilbake til",
    "ended": "Du er logga ut av TestID.",
    "fc_heading": "Innloggingar i denne TestID-prosessen",
    "fc_intro": "Her kan du avslutte ei økt slik ID-porten gjer når brukaren loggar ut frå ei anna "
    "teneste: TestID ber tenesta logge brukaren ut (front-channel logout).",
    "fc_none": "Ingen innloggingar enno.",
    "fc_time": "Tidspunkt",
    "fc_pid": "Fødselsnummer",
    "fc_level": "Tryggleiksnivå",
    "fc_sid": "Økt (sid)",
    "fc_client": "Teneste (client_id)",
    "fc_ended": "Avslutta",
    "fc_button": "Logg ut frå alle tenester",
    "fc_done_heading": "Økta er avslutta",
    "fc_done_text": "Økta er avslutta i alle tenester.",
    "fc_no_uri": "Det er ikkje sett nokon adresse for front-channel logout, så inga teneste vart varsla. "
    "Start TestID med --frontchannel-logout-uri.",
    "fc_unknown": "Fann inga innlogging med denne økta.",
    "fc_back": "Tilbake til innloggingane",
    "error_heading": "Feil i førespurnaden",
    "index_heading": "TestID",
    "index_intro": "Ei lokal testutgåve av ID-porten for utvikling og testar. Ho er ikkje ID-porten.",
    "index_discovery": "OpenID Connect-oppsett (discovery)",
}

EN = {
    "title": "TestID – test sign-in (not the real ID-porten)",
    "banner": "A test service for development. Use synthetic test numbers only, never a real national "
    "identity number.",
    "heading": "Sign in as a test user",
    "client": "The service asking you to sign in:",
    "redirect": "After signing in you are sent back to",
    "pid_label": "National identity number (synthetic test number)",
    "pid_hint": "11 digits. Synthetic test numbers have 80 added to the month (the 3rd and 4th digits "
    "are 81–92), for example 14838540024. Real numbers are refused.",
    "level_legend": "Level of assurance",
    "level_substantial": "Substantial",
    "level_high": "High",
    "submit": "Sign in",
    "cancel": "Cancel",
    "demo_heading": "Demo persons",
    "demo_intro": "Sign in as one of these at the level chosen above.",
    "demo_button": "Sign in as",
    "error_summary": "You were not signed in.",
    "error_format": "Enter the number with 11 digits.",
    "error_checksum": "The control digits do not match. Check that you typed the number correctly.",
    "error_not_synthetic": "This looks like a real national identity number. TestID accepts only "
    "synthetic test numbers (month + 80).",
    "error_date": "The number holds no valid date of birth.",
    "end_heading": "Sign out",
    "end_text": "Do you want to sign out of TestID?",
    "end_button": "Sign out",
    "end_redirect": "Afterwards you are sent back to",
    "ended": "You are signed out of TestID.",
    "fc_heading": "Sign-ins in this TestID process",
    "fc_intro": "End a session here the way ID-porten does when the user signs out of another service: "
    "TestID asks the service to sign the user out (front-channel logout).",
    "fc_none": "No sign-ins yet.",
    "fc_time": "Time",
    "fc_pid": "National identity number",
    "fc_level": "Level of assurance",
    "fc_sid": "Session (sid)",
    "fc_client": "Service (client_id)",
    "fc_ended": "Ended",
    "fc_button": "Sign out of all services",
    "fc_done_heading": "The session has ended",
    "fc_done_text": "The session has ended in all services.",
    "fc_no_uri": "No front-channel logout address is set, so no service was told. "
    "Start TestID with --frontchannel-logout-uri.",
    "fc_unknown": "No sign-in has this session.",
    "fc_back": "Back to the sign-ins",
    "error_heading": "Error in the request",
    "index_heading": "TestID",
    "index_intro": "A local test version of ID-porten for development and tests. It is not ID-porten.",
    "index_discovery": "OpenID Connect configuration (discovery)",
}

TEXTS = {"nb": NB, "nn": NN, "en": EN}
assert NB.keys() == NN.keys() == EN.keys(), "every language has every text"


def locale_of(ui_locales: str | None) -> str:
    """nb, nn or en from an OIDC ``ui_locales`` value (space-separated, first preference wins)."""
    first = (ui_locales or "").split()[:1]
    tag = first[0].lower() if first else ""
    if tag.startswith("en"):
        return "en"
    if tag.startswith("nn"):
        return "nn"
    return "nb"
