"""gunicorn's settings that belong to the project (it reads ./gunicorn.conf.py from where it starts).

The access log (when ``--access-logfile`` turns it on) is written without case links' tokens and
fødselsnumre: servicetorg.core.redaction (docs/operations.md, docs/security.md V7).
"""

logger_class = "servicetorg.core.redaction.GunicornLogger"
