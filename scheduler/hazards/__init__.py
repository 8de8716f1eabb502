"""The hazard register (隐患台账) and the escalation of overdue major hazards (重大事故隐患)."""
