"""Horizon plugin of Mercador: federation panels for provider and reseller
administrators."""
