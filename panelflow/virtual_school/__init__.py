"""The virtual school: pupil flags with their dates (looked after, previously looked after,
with a social worker), the attendance target of a pupil's personal education plan, the
virtual school head's view across the local authority, and the emails that tell them when a
pupil they support is nominated, escalated or referred."""
