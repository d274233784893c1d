"""Matching reverse mentors with mentees: hard rules, a score, and an optimal assignment."""
