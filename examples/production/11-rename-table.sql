-- labels become tags; old code keeps reading labels through a view until contract.
-- What old code keeps running until contract (the test harness runs each after every step):
-- old code: INSERT INTO labels (id, organization_id, name) VALUES (90011, 1, 'old code')
-- old code: UPDATE labels SET color = 'blue' WHERE id = 1
-- old code: SELECT name FROM labels WHERE id = 2
ALTER TABLE labels RENAME TO tags;
