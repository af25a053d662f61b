# >>> not in the course: the import it needs
import requests
# <<<
data = requests.get("http://localhost:5000/api/a1b2").json()
for link in data["links"]:
    # Process linked pages
# >>> not in the course: the loop's body, which it leaves empty
    pass
# <<<
