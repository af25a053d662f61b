data = requests.get("http://localhost:5000/api/a1b2").json()
for link in data["links"]:
    # Process linked pages
