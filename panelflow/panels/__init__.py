"""School attendance panels: their schools and members, meetings, agendas and minutes."""
