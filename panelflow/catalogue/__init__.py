"""Published workflow versions: publishing, loading the live version, migration, catalogue."""
