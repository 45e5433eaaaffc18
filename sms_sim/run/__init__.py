"""Running: the threads that carry the schedule's decisions out, paced in
real time.

Imports measure and the model.
"""
