"""Cases: a pupil's journey through one workflow, and the engine's persistence."""
