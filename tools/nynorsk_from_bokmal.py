"""Nynorsk catalogues from the bokmål ones: Apertium's nob→nno (e-infinitive) translation, then the
corrections below (reviewed by hand; add one here rather than editing the .po, which this rewrites).

    apt-get install apertium-nno-nob
    python tools/nynorsk_from_bokmal.py      # every catalogue: <locale dir>/nb → <locale dir>/nn
    make messages                            # compiles

Placeholders (%(name)s, {name}), tags and entities are kept as they are; a translation that would
lose one keeps the bokmål text instead.
"""

import re
import subprocess
from pathlib import Path

import polib

PH = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_]+\}|<[^>]+>|&[a-z]+;|\{\{[^}]+\}\}")
FIX = [
    (r"(?<![\w*])[@#](?=\w)", ""),  # Apertium's marks for words it could not inflect
    (r"\b([Vv])yrkedag", r"\1erkedag"),
    (r"^Lager\b", "Lagre"),
    (r"^Importar\b", "Importer"),
    (r"^Filtrar\b", "Filtrer"),
    (r"\bFreist\b", "Frist"),
    (r"^Når det gjeld det\?", "Kva gjeld det?"),
    (r"^Ditt namn$", "Namnet ditt"),
    (r"^Opn opp$", "Opne på nytt"),
    (r"\bHøyst\b", "Høgst"),
    (r"\bpåkravt\b", "påkravd"),
    (r"\bopn no\b", "opne no"),
    (r"var gått ut", "hadde gått ut"),
    (r"løfta blir broten", "løftet blir brote"),
    (r"løfta i klarspråk", "løftet i klarspråk"),
    (r"^(Gjennomgang )?forfall$", r"\1forfallen"),
    (r"^([Ff])rist brote$", r"\1rist broten"),
    (r"^Henvendelse %\(ref\)s", "Førespurnad %(ref)s"),
    (r"Forventet svar innan", "Venta svar innan"),
    (r"\b([Ff])orklaring", lambda m: ("U" if m.group(1) == "F" else "u") + "tgreiing"),
    (r"er motteken\.$", "er motteke."),
    (r"^Svart på på portalen$", "Svart på i portalen"),
    (r"\blaget frå mal", "laga frå mal"),
    (r"kan ikkje slett\.", "kan ikkje slettast."),
    (r"ikkje blir lagde til eller (blir )?fjerna", "ikkje leggjast til eller fjernast"),
    (r"Innstillinger → Forrige runde", "Innstillingar → Førre runde"),
    (r"talet på i parentes", "tal i parentes"),
    (r"^Mengd kodar$", "Tal på kodar"),
    (r"^API-nøkkelen blir berre no vist:", "API-nøkkelen blir berre vist no:"),
    (r"^Løftet til kommunen til brukarane", "Kommunen sitt løfte til brukarane"),
]


def _protect(text: str) -> tuple[str, list[str]]:
    table: list[str] = []

    def sub(match):
        table.append(match.group(0))
        return f"ZQX{len(table) - 1}ZQ"

    return PH.sub(sub, text), table


def translate(texts: list[str]) -> list[str]:
    protected, tables = zip(*(_protect(t) for t in texts), strict=True)
    sep = "\n\n¤¤¤ {} ¤¤¤\n\n"
    joined = "".join((sep.format(i) if i else "") + p.replace("\n", " ⁋ ") for i, p in enumerate(protected))
    out = subprocess.run(
        ["apertium", "-u", "nob-nno_e"],  # noqa: S607 - the Debian package's command
        input=joined,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    parts = re.split(r"\s*¤¤¤ \d+ ¤¤¤\s*", out.strip("\n"))
    assert len(parts) == len(texts), (len(parts), len(texts))
    result = []
    for part, table, orig in zip(parts, tables, texts, strict=True):
        part = part.replace(" ⁋ ", "\n").replace("⁋", "\n")
        part = re.sub(r"ZQX(\d+)ZQ", lambda m, table=table: table[int(m.group(1))], part)
        for pattern, replacement in FIX:
            part = re.sub(pattern, replacement, part)
        if orig.endswith("\n") and not part.endswith("\n"):
            part += "\n"
        # Placeholders must match exactly; else keep the bokmål text.
        if sorted(PH.findall(orig)) != sorted(PH.findall(part)):
            part = orig
        result.append(part)
    return result


def convert(nb_path, nn_path):
    nb = polib.pofile(nb_path)
    nn = polib.pofile(nn_path)
    src = {(e.msgctxt, e.msgid): e for e in nb}
    jobs = []
    for e in nn:
        s = src.get((e.msgctxt, e.msgid))
        if s is None:
            continue
        if e.msgid_plural:
            for k, v in s.msgstr_plural.items():
                if v:
                    jobs.append((e, k, v))
        elif s.msgstr:
            jobs.append((e, None, s.msgstr))
    texts = [j[2] for j in jobs]
    done = []
    for i in range(0, len(texts), 200):
        done += translate(texts[i : i + 200])
    for (e, k, _), t in zip(jobs, done, strict=True):
        if k is None:
            e.msgstr = t
        else:
            e.msgstr_plural[k] = t
        if "fuzzy" in e.flags:
            e.flags.remove("fuzzy")
    nn.metadata["Language"] = "nn"
    nn.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
    nn.save()
    print(nn_path, len(jobs), "translated")


if __name__ == "__main__":
    root = Path(__file__).resolve().parents[1] / "src" / "servicetorg"
    for nb_po in sorted(root.glob("**/locale/nb/LC_MESSAGES/django.po")):
        nn_po = nb_po.parents[2] / "nn" / "LC_MESSAGES" / "django.po"
        if nn_po.exists():
            convert(nb_po, nn_po)
