"""Free school choice (fritt skolevalg): intake rounds, the families' wishes, an allocation that
explains itself (deferred acceptance, ``servicetorg.choice.allocation``), answers, waiting lists,
appeals, transport and the per-pupil budget (elevsjekk). docs/choice.md, "School choice"."""
