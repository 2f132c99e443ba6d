"""Date and number formats per language (settings.FORMAT_MODULE_PATH).

Bokmål and nynorsk use Django's own ``nb``/``nn`` formats, which are already what Norwegian public
sector style asks for: "3. desember 2026", "03.12.2026", "14:05", a decimal comma and a non-breaking
space between thousands ("12 345,6"). Only English is adjusted here (see ``en/formats.py``).
"""
