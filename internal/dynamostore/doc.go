// Package dynamostore keeps requests in one DynamoDB table. It implements
// queue.Store without transactions, so that it runs on DynamoDB and on
// dynalite alike.
//
// # Table
//
// The base table has one string key, pk, and two kinds of item:
//
//   - A request, pk "REQ#<id>": every field of the request (the history as a
//     JSON string), a version number for conditional writes, and the index
//     attributes status, due_key and kind. due_key is the due time in UTC,
//     fixed-width to the nanosecond, then "#" and the id
//     ("2027-07-01T07:00:00.000000000Z#<id>"), so that string order is time
//     order and ties break by id. A finished request also gets ttl: the epoch
//     second at which DynamoDB may delete it (finished + Options.Retention).
//   - A login guard, pk "LOGIN#<login key>": the id of the login's open
//     request. It carries no index attribute, so it is in no index.
//
// Optional attributes are left out when empty, never written as "": an
// index key attribute must not be an empty string.
//
// # Indexes
//
// Two global secondary indexes, both projecting every attribute and sorted by
// due_key, serve the two listings of queue.Store without a Scan:
//
//   - by-status (status, due_key): the requests of one status in due order.
//     Open requests are its scheduled and running partitions, so no separate
//     index of open requests is needed.
//   - by-due (kind, due_key): every request in due order. kind is the constant
//     "request", so this index has one partition. That is fine at this scale:
//     a few thousand requests a year, kept two years, are a few megabytes and
//     a few writes a minute at peak, far below one partition's limits.
//
// Index reads are eventually consistent in DynamoDB (a list may lag a write
// by a moment); Get reads the base table with a consistent read.
//
// # One open request per login
//
// Create first puts the guard on condition that it does not exist, then the
// request on condition that its id is new. When the guard exists, it is taken
// over with a write conditioned on its old value, but only when the request it
// names is finished, or is missing and the guard is older than a grace period
// (a create that crashed between its two writes; a younger guard may belong to
// a create still in flight). Otherwise Create fails with an
// *queue.OpenRequestError. An Update that finishes a request deletes the guard
// afterwards, on condition that it still names that request; a guard left
// behind by a crash is harmless, since the next Create takes it over.
//
// # Expiry
//
// DynamoDB deletes expired items lazily and dynalite never does, so Get and
// List skip items whose ttl has passed. The table's TTL setting (on
// TTLAttribute) belongs to the deployment template; this package does not
// call UpdateTimeToLive.
package dynamostore
