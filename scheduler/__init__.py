"""safeduty: the work-safety office's scheduled reminders, duty rosters and hazard escalation.

The flow (see README "Architecture"): data files and config -> pure planners -> keyed durable
outbox -> dispatcher -> channels. APScheduler only wakes the service.
"""
