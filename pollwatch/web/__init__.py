"""Small web helpers every app's views and the API share: bounded parameters and the URL converter for ids.

Low in the layers (Django only, no app models), so any app may use it.
"""
