"""Adopting a project: remote workflows back into the YAML dialect (pull, convert) and
the one YAML writer (fmt).
"""
