"""The deploy engine: a session (target, token, client), translate, plan, apply, reports.
"""
