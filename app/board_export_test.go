package app

import "time"

// SetBoards makes boards edit without waiting (throttle) and tells landed
// of every board state that landed (dest, message id; "home", user).
func (a *App) SetBoards(throttle time.Duration, landed func(dest, id string)) {
	a.boards.throttle, a.boards.landed = throttle, landed
}
