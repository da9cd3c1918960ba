"""Stories: the day's articles grouped into developments across sources and days.

terms.py     content words of German (and English) text: stop words out, Snowball stems
cluster.py   incremental assignment of an article to a story (text + shared actors)
summarise.py extractive multi-document summary of a story (lead prior, centrality, MMR)
novelty.py   what is new in a story since the reader's last briefing
numbers.py   figures with their context ("176 Drohnen")
"""
