"""Stored queries, their typed parameters, the engines that answer them and the answers."""
