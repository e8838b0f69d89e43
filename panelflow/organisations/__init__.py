"""Schools and pupils: who the cases are about."""
