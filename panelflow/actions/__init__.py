"""Actions agreed for agencies and roles (created by workflow effects and by panels)."""
