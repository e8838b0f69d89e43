"""Information sharing: consent or a lawful basis per agency, and agencies' involvement."""
