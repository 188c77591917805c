"""Elections, contests, candidates and official results."""
