import asyncio
import aiohttp

async def fetch_page(session, url):
    async with session.get(url) as response:
        return await response.json()

async def main():
    async with aiohttp.ClientSession() as session:
        tasks = [fetch_page(session, f"http://localhost:5000/api/page{i}") for i in range(10)]
        results = await asyncio.gather(*tasks)

asyncio.run(main())
