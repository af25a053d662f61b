-- concur's Lua prelude: compiled into the binary (core/src/script/CMakeLists.txt)
-- and run in every state before the user's script, as wrk does with wrk.lua.
-- What can be written in Lua is written here; the C++ side adds the functions
-- that need the host (concur.log, concur.version, and in scenarios concur.run,
-- concur.server, concur.csv, concur.plugins).

-- Sums numeric fields key by key over every worker's copy of the global `name`:
--   counts = {}                       -- a global, so done() can read each copy
--   function on_page(p) counts[p.type] = (counts[p.type] or 0) + 1 end
--   function done(s) local all = concur.merge(s.workers, "counts") ... end
function concur.merge(workers, name)
  if type(workers) ~= "table" then
    error("concur.merge: expected the list summary.workers, got " .. type(workers), 2)
  end
  local total = {}
  for _, worker in ipairs(workers) do
    for key, value in pairs(worker:get(name) or {}) do
      if type(value) ~= "number" then
        error("concur.merge: " .. name .. "." .. tostring(key) .. " is a " .. type(value) ..
              ", not a number", 2)
      end
      total[key] = (total[key] or 0) + value
    end
  end
  return total
end

-- The hooks a script may define, with what they do when it does not. The host
-- calls a hook only when the script replaced its default, so an absent hook
-- costs nothing per page.
concur.defaults = {
  setup = function(run) end,               -- once per worker state, before its first page
  on_page = function(page) return nil end, -- nil: follow every link, in page order
  on_response = function(response) end,    -- every request, retries and hedged copies too
  on_result = function(row) return nil end,-- a table: extra CSV columns for this run
  done = function(summary) end,            -- once per run, after every worker finished
}
for name, fn in pairs(concur.defaults) do _G[name] = fn end
