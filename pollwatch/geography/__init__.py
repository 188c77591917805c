"""Electoral geography: administrative units of any depth and polling stations."""
