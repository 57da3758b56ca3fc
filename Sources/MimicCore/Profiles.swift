import Foundation

/// Built-in task descriptions for robosuite 1.5 tasks, looked up by the dataset's `env_name`.
/// docs/profiles.md gives the source of every number.
///
/// Each profile is the JSON text a user could write in a `--task` file: the task objects with the
/// observation keys robosuite writes for them (or the fixed MJCF body they are), the subtasks of
/// each end effector (MimicGen's task spec where MimicGen has the task, an analogue otherwise),
/// and the placement region of robosuite's own reset distribution.
public enum TaskProfiles {
    /// The robosuite environment names that have a built-in profile.
    public static let envNames: [String] = [
        "Lift", "Stack",
        "PickPlaceCan", "PickPlaceMilk", "PickPlaceBread", "PickPlaceCereal",
        "NutAssemblySquare", "NutAssemblyRound",
        "TwoArmLift", "TwoArmHandover",
    ]

    /// The profile of robosuite environment `forEnvName`, or nil when there is none. MimicGen's
    /// variants of a task (`Stack_D0`, `Square_D1`) use the profile of the task they vary. Its
    /// `success` is the task's built-in test (``SuccessPredicate/robosuite(envName:)``).
    public static func spec(forEnvName name: String) -> TaskSpec? {
        guard let text = json(forEnvName: name) ?? json(forEnvName: mimicGenBase(name)) else { return nil }
        return decode(text, envName: name)
    }

    /// A profile's JSON text with the task's built-in success test.
    static func decode(_ text: String, envName name: String) -> TaskSpec {
        do {
            var spec = try TaskSpec.decode(Data(text.utf8), file: "built-in profile \(name)")
            spec.success = SuccessPredicate.robosuite(envName: name)
            return spec
        } catch {
            // The profiles are constants that ProfilesTests decodes; failing here is a bug in this file.
            preconditionFailure("\(error)")
        }
    }

    /// The robosuite environment names that have a built-in profile for the GR1 humanoid
    /// (`GR1ArmsOnly`, `GR1FixedLowerBody`, ...: robosuite's GR1 robots, two arms with dexterous hands).
    public static let humanoidEnvNames: [String] = ["Lift", "TwoArmLift", "TwoArmHandover"]

    /// The profile of a dataset's environment: by `env_name`, and for a GR1 humanoid (the first of
    /// `env_kwargs.robots` starts with `GR1`) its humanoid profile, with robosuite's test read for
    /// the humanoid's two hands. A humanoid task without a profile but with a robosuite test gets a
    /// spec holding only that test (augment then infers the rest); nil when there is neither.
    public static func spec(for envArgs: EnvArgs?) -> TaskSpec? {
        guard let envArgs, let name = envArgs.envName else { return nil }
        guard envArgs.robots.first?.hasPrefix("GR1") == true else { return spec(forEnvName: name) }
        let success = SuccessPredicate.robosuite(envName: name, humanoid: true)
        guard let text = humanoidJSON(forEnvName: name) else {
            return success.map { test in
                var spec = TaskSpec()
                spec.success = test
                return spec
            }
        }
        var spec = decode(text, envName: name)
        spec.success = success
        return spec
    }

    /// The JSON text of the GR1 humanoid profile of `forEnvName`, exactly as a `--task` file would hold it.
    public static func humanoidJSON(forEnvName name: String) -> String? {
        switch name {
        case "Lift": gr1Lift
        case "TwoArmLift": gr1TwoArmLift
        case "TwoArmHandover": gr1TwoArmHandover
        default: nil
        }
    }

    /// MimicGen's name of a task variant without its `_D<k>` suffix, and its Square as robosuite's
    /// NutAssemblySquare: `Stack_D1` → `Stack`, `Square_D0` → `NutAssemblySquare`.
    public static func mimicGenBase(_ name: String) -> String {
        var base = name
        if let range = name.range(of: #"_D\d+$"#, options: .regularExpression) { base = String(name[..<range.lowerBound]) }
        return base == "Square" ? "NutAssemblySquare" : base
    }

    /// The JSON text of the profile of `forEnvName`, exactly as a `--task` file would hold it.
    public static func json(forEnvName name: String) -> String? {
        switch name {
        case "Lift": lift
        case "Stack": stack
        case "PickPlaceCan": pickPlaceCan
        case "PickPlaceMilk": pickPlaceMilk
        case "PickPlaceBread": pickPlaceBread
        case "PickPlaceCereal": pickPlaceCereal
        case "NutAssemblySquare": nutAssemblySquare
        case "NutAssemblyRound": nutAssemblyRound
        case "TwoArmLift": twoArmLift
        case "TwoArmHandover": twoArmHandover
        default: nil
        }
    }

    // Every subtask spells out MimicGen's per-subtask settings (its robosuite templates and
    // generate_core_configs.py): action noise 0.05, 5 interpolation steps, no fixed steps, no noise
    // while interpolating, k = 3 (1 for TwoArmLift); a subtask that ends at a grasp ends 10 to 20
    // steps after it.

    /// Lift (MimicGen has no Lift task): grasp relative to the cube, then lift relative to the cube.
    /// One object, so no separation applies.
    static let lift = """
        {
          "name": "Lift",
          "objects": [
            {"name": "cube", "posKey": "cube_pos", "quatKey": "cube_quat"}
          ],
          "endEffectors": [
            {"name": "robot0", "subtasks": [
              {"object": "cube", "endSignal": "grasp", "endOffset": [10, 20], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "cube", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "placement": {
            "reference": [0, 0, 0.8],
            "minSeparation": 0,
            "objects": {
              "cube": {"x": [-0.03, 0.03], "y": [-0.03, 0.03], "yaw": [0, 6.283185307179586]}
            }
          },
          "selectPerSubtask": false,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

    /// Stack: MimicGen's stack task as its core config ran it (nearest-object selection for both
    /// subtasks, a new source demo per subtask). minSeparation = √2·0.02 + √2·0.025, the two cubes'
    /// horizontal radii.
    static let stack = """
        {
          "name": "Stack",
          "objects": [
            {"name": "cubeA", "posKey": "cubeA_pos", "quatKey": "cubeA_quat"},
            {"name": "cubeB", "posKey": "cubeB_pos", "quatKey": "cubeB_quat"}
          ],
          "endEffectors": [
            {"name": "robot0", "subtasks": [
              {"object": "cubeA", "endSignal": "grasp", "endOffset": [10, 20], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "cubeB", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "placement": {
            "reference": [0, 0, 0.8],
            "minSeparation": 0.06363961030678929,
            "objects": {
              "cubeA": {"x": [-0.08, 0.08], "y": [-0.08, 0.08], "yaw": [0, 6.283185307179586]},
              "cubeB": {"x": [-0.08, 0.08], "y": [-0.08, 0.08], "yaw": [0, 6.283185307179586]}
            }
          },
          "selectPerSubtask": true,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

    // PickPlace single-object variants (MimicGen only has the four-object PickPlace): the object's
    // two subtasks of MimicGen's pick_place task, grasp relative to the object, then place relative to
    // the fixed target bin (MimicGen replays it in the world frame; bin2 never moves, so it is the
    // same). x/y: the bin half size (0.145, 0.195) minus the object's horizontal radius, because
    // robosuite keeps the whole object inside the range.

    /// A single-object PickPlace profile: `object` (observations `<obsName>_pos/_quat`) starts in
    /// bin1 within ±x, ±y of its centre and goes to bin2.
    static func pickPlace(_ env: String, object: String, obsName: String, x: String, y: String) -> String {
        """
        {
          "name": "\(env)",
          "objects": [
            {"name": "\(object)", "posKey": "\(obsName)_pos", "quatKey": "\(obsName)_quat"},
            {"name": "bin2", "body": "bin2"}
          ],
          "endEffectors": [
            {"name": "robot0", "subtasks": [
              {"object": "\(object)", "endSignal": "grasp", "endOffset": [10, 20], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "bin2", "endOffset": [0, 0], "selection": "random", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "placement": {
            "reference": [0.1, -0.25, 0.8],
            "minSeparation": 0,
            "objects": {
              "\(object)": {"x": [-\(x), \(x)], "y": [-\(y), \(y)], "yaw": [0, 6.283185307179586]}
            }
          },
          "selectPerSubtask": true,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """
    }

    /// PickPlaceCan: can radius 0.025.
    static let pickPlaceCan = pickPlace("PickPlaceCan", object: "can", obsName: "Can", x: "0.12", y: "0.17")
    /// PickPlaceMilk: milk radius 0.025.
    static let pickPlaceMilk = pickPlace("PickPlaceMilk", object: "milk", obsName: "Milk", x: "0.12", y: "0.17")
    /// PickPlaceBread: bread radius 0.03.
    static let pickPlaceBread = pickPlace("PickPlaceBread", object: "bread", obsName: "Bread", x: "0.115", y: "0.165")
    /// PickPlaceCereal: cereal radius 0.04.
    static let pickPlaceCereal = pickPlace("PickPlaceCereal", object: "cereal", obsName: "Cereal", x: "0.105", y: "0.155")

    /// NutAssemblySquare: MimicGen's square task (the square nut onto peg1).
    static let nutAssemblySquare = """
        {
          "name": "NutAssemblySquare",
          "objects": [
            {"name": "square_nut", "posKey": "SquareNut_pos", "quatKey": "SquareNut_quat"},
            {"name": "square_peg", "body": "peg1"}
          ],
          "endEffectors": [
            {"name": "robot0", "subtasks": [
              {"object": "square_nut", "endSignal": "grasp", "endOffset": [10, 20], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "square_peg", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "placement": {
            "reference": [0, 0, 0.82],
            "minSeparation": 0,
            "objects": {
              "square_nut": {"x": [-0.115, -0.11], "y": [0.11, 0.225], "yaw": [0, 6.283185307179586]}
            }
          },
          "selectPerSubtask": false,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

    /// NutAssemblyRound: the round-nut half of MimicGen's nut_assembly task (the round nut onto peg2).
    static let nutAssemblyRound = """
        {
          "name": "NutAssemblyRound",
          "objects": [
            {"name": "round_nut", "posKey": "RoundNut_pos", "quatKey": "RoundNut_quat"},
            {"name": "round_peg", "body": "peg2"}
          ],
          "endEffectors": [
            {"name": "robot0", "subtasks": [
              {"object": "round_nut", "endSignal": "grasp", "endOffset": [10, 20], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "round_peg", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "placement": {
            "reference": [0, 0, 0.82],
            "minSeparation": 0,
            "objects": {
              "round_nut": {"x": [-0.115, -0.11], "y": [-0.225, -0.11], "yaw": [0, 6.283185307179586]}
            }
          },
          "selectPerSubtask": false,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

    /// TwoArmLift (no MimicGen task): each arm grasps its handle relative to the pot, then lifts
    /// relative to the pot. Both lifts start while the pot still rests where it was placed, so both
    /// arms get the same transform. k = 1: each arm picks its source demo on its own, and only the
    /// single nearest demo makes both arms pick the same one. Pot yaw: robosuite's (π − π/3, π + π/3).
    static let twoArmLift = """
        {
          "name": "TwoArmLift",
          "objects": [
            {"name": "pot", "posKey": "pot_pos", "quatKey": "pot_quat"}
          ],
          "endEffectors": [
            {"name": "robot0", "subtasks": [
              {"object": "pot", "endSignal": "grasp_robot0", "endOffset": [10, 20], "selection": "nearestObject", "nnK": 1,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "pot", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 1,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]},
            {"name": "robot1", "subtasks": [
              {"object": "pot", "endSignal": "grasp_robot1", "endOffset": [10, 20], "selection": "nearestObject", "nnK": 1,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "pot", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 1,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "placement": {
            "reference": [0, 0, 0.8],
            "minSeparation": 0,
            "objects": {
              "pot": {"x": [-0.03, 0.03], "y": [-0.03, 0.03], "yaw": [2.0943951023931957, 4.1887902047863905]}
            }
          },
          "selectPerSubtask": false,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

    /// TwoArmHandover (no MimicGen task): robot0 grasps the hammer relative to the hammer, then
    /// carries it to the handover point and lets go, replayed in the world frame; robot1 takes the
    /// handle there and lifts it, replayed in the world frame. The hammer keeps its pose in robot0's
    /// gripper, so it reaches the handover point as in the source demo, where robot1 expects it.
    static let twoArmHandover = """
        {
          "name": "TwoArmHandover",
          "objects": [
            {"name": "hammer", "posKey": "hammer_pos", "quatKey": "hammer_quat"}
          ],
          "endEffectors": [
            {"name": "robot0", "subtasks": [
              {"object": "hammer", "endSignal": "grasp_robot0", "endOffset": [10, 20], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"endOffset": [0, 0], "selection": "random", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]},
            {"name": "robot1", "subtasks": [
              {"endSignal": "grasp_robot1", "endOffset": [10, 20], "selection": "random", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"endOffset": [0, 0], "selection": "random", "nnK": 3,
               "actionNoise": 0.05, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "placement": {
            "reference": [0, -0.45, 0.8],
            "minSeparation": 0,
            "objects": {
              "hammer": {"x": [-0.1, 0.1], "y": [-0.05, 0.05], "yaw": [0, 6.283185307179586]}
            }
          },
          "selectPerSubtask": false,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

    /// Lift with the GR1 humanoid, one hand (Isaac Lab's GR1 pick-place pattern): the right hand
    /// grasps the cube relative to the cube (ending 0 to 5 steps after its grasp), then lifts it
    /// relative to the cube; the left hand replays the same source in the world frame (it stays
    /// where it was). Scenes are placed around the sources (±1 cm, ±0.3 rad of a source's cube,
    /// which then serves as the grasp's source, k = 1): robosuite puts the cube within ±3 cm of
    /// the robot's midline, and the GR1's right hand reaches only cubes right of it (its shoulder
    /// roll stops at 0), so a source records the reachable part of robosuite's draw.
    static let gr1Lift = """
        {
          "name": "Lift",
          "objects": [
            {"name": "cube", "posKey": "cube_pos", "quatKey": "cube_quat"}
          ],
          "endEffectors": [
            {"name": "robot0_right", "subtasks": [
              {"object": "cube", "endSignal": "grasp_robot0_right", "endOffset": [0, 5], "selection": "nearestObject", "nnK": 1,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "cube", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 1,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]},
            {"name": "robot0_left", "subtasks": [
              {"endOffset": [0, 0], "selection": "random", "nnK": 1,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "placement": {
            "around": "source",
            "objects": {
              "cube": {"x": [-0.01, 0.01], "y": [-0.01, 0.01], "yaw": [-0.3, 0.3]}
            }
          },
          "selectPerSubtask": false,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

    /// TwoArmHandover with the GR1 humanoid (robosuite's `single-robot` configuration: the right
    /// hand picks the hammer up and presents it, the left hand takes its handle, the right lets go).
    /// The right hand grasps relative to the hammer (ending 0 to 5 steps after its grasp); from
    /// there both hands replay one source demo in the world frame, in two coordinated pairs: the
    /// right hand's carry-and-present with the left hand's reach-and-grasp (both end when the
    /// left hand grasps, so the left closes on the handle only once the right hand has brought
    /// it, which is the handover's sequence), then the right hand's release with the left hand's
    /// hold (starting together, ending together). The hammer keeps its pose in the right hand, so
    /// it reaches the handover point where the source's left hand expects it. The source is the
    /// one whose hammer starts nearest (k = 1), and scenes are placed around the sources
    /// (`around: source`: within ±2 cm and ±0.2 rad of a source's hammer): on the small table
    /// that brings the hammer within the GR1's reach, many of robosuite's own headings leave the
    /// hammer hanging over the edge, and its two resting sides (handle up or down) need grasps
    /// from opposite sides. Action noise 0.003 as for the lift.
    static let gr1TwoArmHandover = """
        {
          "name": "TwoArmHandover",
          "objects": [
            {"name": "hammer", "posKey": "hammer_pos", "quatKey": "hammer_quat"}
          ],
          "endEffectors": [
            {"name": "robot0_right", "subtasks": [
              {"object": "hammer", "endSignal": "grasp_robot0_right", "endOffset": [0, 5], "selection": "nearestObject", "nnK": 1,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"endSignal": "grasp_robot0_left", "endOffset": [0, 0], "selection": "random", "nnK": 1,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"endOffset": [0, 0], "selection": "random", "nnK": 1,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]},
            {"name": "robot0_left", "subtasks": [
              {"endSignal": "grasp_robot0_left", "endOffset": [0, 0], "selection": "random", "nnK": 1,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"endOffset": [0, 0], "selection": "random", "nnK": 1,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "constraints": [
            {"type": "coordination", "subtasks": [["robot0_right", 1], ["robot0_left", 0]], "scheme": "replay"},
            {"type": "coordination", "subtasks": [["robot0_right", 2], ["robot0_left", 1]], "scheme": "replay", "synchronizeStart": true}
          ],
          "placement": {
            "around": "source",
            "objects": {
              "hammer": {"x": [-0.02, 0.02], "y": [-0.02, 0.02], "yaw": [-0.2, 0.2]}
            }
          },
          "selectPerSubtask": false,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

    /// TwoArmLift with the GR1 humanoid (robosuite's `GR1ArmsOnly`, Fourier hands, `WHOLE_BODY_IK`
    /// absolute poses in the base frame): each hand reaches and grasps its handle relative to the
    /// pot (ending 0 to 5 steps after its grasp), then both lift together: a coordination
    /// constraint gives the two lift subtasks one source demo and one transform (the pot's), starts
    /// them together and ends them on the same step. Action noise 0.003 (metres and radians of the
    /// absolute wrist targets, Isaac Lab Mimic's GR1 value); the pot's placement is robosuite's, as
    /// for the Pandas.
    static let gr1TwoArmLift = """
        {
          "name": "TwoArmLift",
          "objects": [
            {"name": "pot", "posKey": "pot_pos", "quatKey": "pot_quat"}
          ],
          "endEffectors": [
            {"name": "robot0_right", "subtasks": [
              {"object": "pot", "endSignal": "grasp_robot0_right", "endOffset": [0, 5], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "pot", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]},
            {"name": "robot0_left", "subtasks": [
              {"object": "pot", "endSignal": "grasp_robot0_left", "endOffset": [0, 5], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false},
              {"object": "pot", "endOffset": [0, 0], "selection": "nearestObject", "nnK": 3,
               "actionNoise": 0.003, "interpolationSteps": 5, "fixedSteps": 0, "noiseDuringInterpolation": false}
            ]}
          ],
          "constraints": [
            {"type": "coordination", "subtasks": [["robot0_right", 1], ["robot0_left", 1]], "scheme": "transform", "synchronizeStart": true}
          ],
          "placement": {
            "reference": [0, 0, 0.8],
            "minSeparation": 0,
            "objects": {
              "pot": {"x": [-0.03, 0.03], "y": [-0.03, 0.03], "yaw": [2.0943951023931957, 4.1887902047863905]}
            }
          },
          "selectPerSubtask": false,
          "transformFirstRobotPose": false,
          "interpolateFromLastTargetPose": true
        }
        """

}
