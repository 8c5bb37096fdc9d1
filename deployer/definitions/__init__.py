"""Workflow definitions: loading (with line marks), validation rules, the normalised model.

Written once and used by both the lint hook and the deployer's pre-flight check.
"""
