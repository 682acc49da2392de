"""Issue [6/6]'s goals, as RESULTS.md's goal table checks them."""

GOAL_SHOWN_P50_MS, GOAL_SHOWN_P95_MS = 200, 400  # tap → account page showing the email
GOAL_REQUESTS = 3  # browser API requests per login, and no preflight
GOAL_WRITES = GOAL_READS = 8  # DynamoDB operations per login
GOAL_IMPORT_RATIO = 1.1  # import app ÷ import chalice, pynamodb.models
GOAL_COST = 25  # dollars per million logins
GOAL_LOST_P50_MS, GOAL_LOST_GAP_MS = 3000, 2000  # callbacks lost: tap → account; poll gap
