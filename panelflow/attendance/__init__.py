"""Attendance figures imported from schools' management information systems."""
