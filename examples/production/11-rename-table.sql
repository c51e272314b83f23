-- labels become tags; old code keeps reading labels through a view until contract.
ALTER TABLE labels RENAME TO tags;
