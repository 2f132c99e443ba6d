"""Settings split as Open Zaak does: base (shared), production, dev, ci. ``servicetorg.settings`` chooses."""
