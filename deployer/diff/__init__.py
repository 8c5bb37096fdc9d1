"""The semantic diff of workflow definitions and its reports.
"""
