{{ value }}
